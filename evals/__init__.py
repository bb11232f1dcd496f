"""Evaluation suite: gold questions, metrics, the llama-index baseline and the report (`python -m evals run`)."""

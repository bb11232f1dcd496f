"""Eval subset for issue 9: eight generated documents the parser was not tuned on, and questions about them."""

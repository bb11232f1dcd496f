"""Retrieval, answering and conversation over the clause index built by `index`."""

"""Ingestion: read files, parse clause trees, chunk by clause, embed and store in Chroma."""

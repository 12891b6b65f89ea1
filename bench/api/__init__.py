"""API load benchmark: the app on PostgreSQL under uvicorn (2 workers), driven by wrk at 32 connections."""

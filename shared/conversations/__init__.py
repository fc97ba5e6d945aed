"""Conversation storage: Cosmos DB model, HTTP API and queue ingestion."""

"""OpenAI's Responses API (text subset) over the conversation store."""

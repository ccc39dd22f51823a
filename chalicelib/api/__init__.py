"""HTTP entry points: parse the request, call one service, map errors."""

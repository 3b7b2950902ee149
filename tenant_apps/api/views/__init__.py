"""The REST API (/api/v1/): thin views that parse, check access, call one service and present."""

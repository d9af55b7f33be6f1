"""The admin routers: uploads and videos."""

"""One router per resource; each route validates, calls a service, shapes the reply."""

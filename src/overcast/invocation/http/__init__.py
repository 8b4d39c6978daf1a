"""Lambda behind HTTP front doors (API Gateway REST and HTTP APIs, function URLs, load balancers).

What the front doors share: the request as they see it (`request.HttpCall`), the events they build
(`events`, docs/aws-behaviour.md#events-delivered-to-functions), the mapping of a function's answer back to HTTP
(`responses`), the synchronous call with an integration timeout (`calls`) and CORS (`cors`).
"""

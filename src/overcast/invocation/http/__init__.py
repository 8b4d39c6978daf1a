"""Lambda behind HTTP front doors (API Gateway REST and HTTP APIs, function URLs, load balancers).

What the front doors share: the request as they see it (`request.HttpCall`), the events they build
(`events`, spec §4.7/§4.8 and the ALB event), the mapping of a function's answer back to HTTP
(`responses`), the synchronous call with an integration timeout (`calls`) and CORS (`cors`).
"""

"""/api/v1/improvement: improvement plans and root-cause analyses.

`routers` lists the area's routers; api.py mounts each at /improvement. (Mounted under one
parent router, a child's paths would change: ninja joins the prefixes with a slash.)
"""

from ninja import Router

from . import plans

routers: tuple[Router, ...] = (plans.router,)

"""/api/v1/improvement: improvement plans (优化方案) with their actions and measured effect,
and root-cause analyses (根因分析).

Specialists, supervisors, managers and administrators manage both; analysts read all;
agents read the plans that concern one of their teams (404 for the others) and no analysis;
customers and partners are refused (403).

`routers` lists the area's routers; api.py mounts each at /improvement. (Mounted under one
parent router, a child's paths would change: ninja joins the prefixes with a slash.)
"""

from ninja import Router

from . import analyses, plans

routers: tuple[Router, ...] = (plans.router, analyses.router)

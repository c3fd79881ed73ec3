"""/api/v1/tickets: the public contract partners and clients code against.

`routers` lists the area's routers in the order Django must try their paths; api.py mounts
each at /tickets. (Mounted under one parent router, a child's paths would change: ninja
joins the prefixes with a slash.)
"""

from ninja import Router

from . import batch, collection, conversation, lifecycle

# /tickets/batch before /tickets/{number}, which would take "batch" for a number
routers: tuple[Router, ...] = (
    collection.router,
    batch.router,
    lifecycle.router,
    conversation.router,
)

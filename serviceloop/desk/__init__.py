"""The agent desk's read side: what the queue shows, composed from several apps (tickets,
their SLA clocks, promises). No models: a package, not an installed app."""

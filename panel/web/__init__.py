"""The browser front door: server-rendered pages with htmx, thin adapters over `panel.services`."""

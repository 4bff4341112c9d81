"""The employer portal's views (thin: parse, call a selector or service, render)."""

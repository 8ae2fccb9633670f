"""Ways to show a plan: text for terminals, JSON for machines, markdown for reviews."""

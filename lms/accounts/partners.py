"""The Nordplus partner associations, present in every NordLearn database."""

PARTNER_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("Swedish Academy of Pharmaceutical Sciences", "SE"),
    ("Swedish Pharmaceutical Industry Association (LIF)", "SE"),
    ("Pharmaceutical Information Centre", "FI"),
    ("Association of the Pharmaceutical Industry in Norway (LMI)", "NO"),
    ("Oslo Cancer Cluster Incubator", "NO"),
)

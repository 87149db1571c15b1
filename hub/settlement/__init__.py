"""Settlement: contracts, entries and statements, computed as events flow (pure arithmetic lives here, Kafka stays in hub/agents/)."""

"""The feedback board: ideas, votes, statuses, merges, roadmap and prioritisation."""

"""Writes of the analytics app: the daily rollup and the marketing inputs."""

"""Schema validation: per-record rules (:mod:`.rules`) and the dataset-level suite (:mod:`.suite`).

Per-record rules are polars expressions (plus the item model, per row); failing rows are
quarantined with a stable reason. The dataset-level suite is data
(``schemas/expectations/items.yaml``) run by Great Expectations Core over all kept rows;
a failed expectation stops the pipeline.
"""

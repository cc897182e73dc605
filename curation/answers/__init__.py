"""Model answers to a published release, kept for physicians to grade.

``curate answers import RUN_FILE --model NAME`` reads one run's outputs (a plain JSONL file, an
lm-evaluation-harness ``--log_samples`` file or an OpenCompass prediction file:
:mod:`curation.answers.formats`), maps each to the public id of a released item or task
instance, screens it with the de-identifier and stores it under
``answers/<version>/<model>/<run>.parquet`` (:mod:`curation.answers.store`), never inside the
release folder.
"""

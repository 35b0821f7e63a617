-- The feature row a scored decision was decided on (the row of its send time for an alert, else of its best-scoring
-- time), in models/features.ts FEATURE_NAMES order. With model_version it is what the decision's TreeSHAP
-- contributions are recomputed from, exactly, when someone asks (models/scoring.ts explainStored): decideBatch no
-- longer computes them for every decision. Decisions explained when they were made keep their contributions column.
alter table decisions add column features double precision[];

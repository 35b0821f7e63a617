-- The feature row a scored decision was decided on (the row of its send time for an alert, else of its best-scoring
-- time), in models/features.ts FEATURE_NAMES order, as little-endian IEEE 754 doubles, 8 bytes each (db/decisions.ts
-- featureValues reads it): bit for bit what the model scored. With model_version it is what the decision's TreeSHAP
-- contributions are recomputed from, exactly, when someone asks (models/scoring.ts explainStored), so decideBatch no
-- longer computes them for every decision. Decisions explained when they were made keep their contributions column.
alter table decisions add column features bytea;

-- A digest hour is what a fan chose, or nothing: null means the fan never chose one, and digests then go out at the
-- production default (DEFAULT_DIGEST_HOUR in domain/fan.ts). The old default of 8 stored a choice nobody made, and
-- the relevance features read the column as the fan's own hour (fan_digest_hour_distance, the reading-peak
-- posterior). Rows already holding 8 stay: a chosen 8 cannot be told from the old default.
alter table preferences
  alter column digest_hour drop not null,
  alter column digest_hour drop default;

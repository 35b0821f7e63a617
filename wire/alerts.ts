// Alerts on the wire: the console's banner and the alert rules (GET /api/admin/alerts, /api/admin/alert-rules).

/** One alert: the rule that raised it, what it saw and the threshold it broke; clearedAt null while it is open. */
export interface AlertRow {
  id: number;
  /** A rule's name: calibration, featureDrift, unsubscribeSpike, bounceSpike, deliveryFailure or backlogAge. */
  rule: string;
  message: string;
  value: number;
  threshold: number;
  raisedAt: string;
  clearedAt: string | null;
}

/** The answer of GET /api/admin/alerts: the open alerts (oldest first) and the latest ones, open or cleared. */
export interface AlertsAnswer {
  open: AlertRow[];
  recent: AlertRow[];
}

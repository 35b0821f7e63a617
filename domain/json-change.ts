// One change between two JSON documents, at a path: what the policy audit records and the console lists.

/** One change at a path such as "rules[0].limit"; `from` is absent for an addition, `to` for a removal. */
export interface JsonChange {
  path: string;
  op: 'add' | 'remove' | 'change';
  from?: unknown;
  to?: unknown;
}

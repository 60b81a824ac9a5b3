/** Asks the database whether it answers (SELECT 1), within the probe's own timeout. */
export interface DatabaseProbe {
  /** Resolves when the database answered; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Told whether the database is reachable (the health service flips SERVING / NOT_SERVING on it). */
export interface DatabaseReachability {
  setDatabaseReachable(reachable: boolean): void;
}

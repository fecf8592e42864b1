/**
 * Cluster mode's live channel: PostgreSQL LISTEN/NOTIFY on `pastiche_jobs`. Web servers turn
 * "job"/"lane" messages into their in-process JobEvents (so an SSE stream on server 2 follows a job
 * a worker on another machine runs); workers act on "cancel". Messages carry ids only: listeners
 * read the row. The listening connection reconnects by itself after the database comes back.
 */
import pg from "pg";
import type { JobMode } from "../../../shared/jobSchemas";

export const CHANNEL = "pastiche_jobs";

export type JobMessage = { t: "job"; id: string } | { t: "lane"; mode: JobMode } | { t: "cancel"; id: string };

function parse(payload: string | undefined): JobMessage | undefined {
  try {
    const m = JSON.parse(payload ?? "") as Partial<JobMessage> | null;
    return m && (m.t === "job" || m.t === "lane" || m.t === "cancel") ? (m as JobMessage) : undefined;
  } catch {
    return undefined;
  }
}

export async function notify(pool: pg.Pool, message: JobMessage): Promise<void> {
  await pool.query("SELECT pg_notify($1, $2)", [CHANNEL, JSON.stringify(message)]);
}

export class JobListener {
  private client: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onMessage: (message: JobMessage) => void,
    /** After a reconnect: messages sent while away were lost, so listeners re-read what they show. */
    private readonly onReconnect: () => void = () => undefined,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (n) => {
      const m = parse(n.payload);
      if (m) this.onMessage(m);
    });
    client.on("error", () => {
      this.lost(client);
    });
    client.on("end", () => {
      this.lost(client);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.log("lost the database's notification channel; reconnecting");
    const again = (): void => {
      this.retry = setTimeout(() => {
        if (this.closed) return;
        this.start().then(
          () => {
            this.log("notification channel back");
            this.onReconnect();
          },
          () => {
            again();
          },
        );
      }, 1000);
      this.retry.unref();
    };
    void client.end().catch(() => undefined);
    again();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}

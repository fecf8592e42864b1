import type Database from "better-sqlite3";
import type { ImageRole, UploadFormat } from "../../shared/jobSchemas";

export interface UploadRow {
  id: string;
  role: ImageRole;
  format: UploadFormat;
  width: number;
  height: number;
  /** Size of the stored (re-encoded) image file. */
  bytes: number;
  example_key: string | null;
  created_at: string;
  /** The visitor's owner key (see visitor.ts); null for example styles. */
  owner: string | null;
  /** The image file plus its thumbnail, for the quota. */
  disk_bytes: number;
  deleting: number;
}

export type NewUpload = Omit<UploadRow, "deleting">;

/**
 * The uploads table. Every lookup on behalf of a visitor goes through `visible`: the visitor's own
 * uploads and the shared example styles; anything else (another visitor's, one being deleted) is
 * indistinguishable from an id that does not exist.
 */
export class UploadsRepo {
  private readonly insertStmt;
  private readonly visibleStmt;
  private readonly ownStmt;
  private readonly examplesStmt;
  private readonly byExampleStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare<NewUpload>(
      "INSERT INTO uploads (id, role, format, width, height, bytes, example_key, created_at, owner, disk_bytes) VALUES (@id, @role, @format, @width, @height, @bytes, @example_key, @created_at, @owner, @disk_bytes)",
    );
    this.visibleStmt = db.prepare<[string, string], UploadRow>(
      "SELECT * FROM uploads WHERE id = ? AND deleting = 0 AND (owner = ? OR example_key IS NOT NULL)",
    );
    this.ownStmt = db.prepare<[string, string], UploadRow>("SELECT * FROM uploads WHERE id = ? AND deleting = 0 AND owner = ?");
    this.examplesStmt = db.prepare<[], UploadRow>("SELECT * FROM uploads WHERE example_key IS NOT NULL AND deleting = 0 ORDER BY example_key");
    this.byExampleStmt = db.prepare<[string], UploadRow>("SELECT * FROM uploads WHERE example_key = ?");
  }

  insert(row: NewUpload): void {
    this.insertStmt.run(row);
  }

  /** An upload the visitor may use and see: its own, or an example style. */
  visible(id: string, owner: string): UploadRow | undefined {
    return this.visibleStmt.get(id, owner);
  }

  /** An upload the visitor owns (may delete). */
  own(id: string, owner: string): UploadRow | undefined {
    return this.ownStmt.get(id, owner);
  }

  /** Any row, whoever owns it (server-side use only: the queue, the sweeper, tests). */
  get(id: string): UploadRow | undefined {
    return this.db.prepare<[string], UploadRow>("SELECT * FROM uploads WHERE id = ?").get(id);
  }

  examples(): UploadRow[] {
    return this.examplesStmt.all();
  }

  byExampleKey(key: string): UploadRow | undefined {
    return this.byExampleStmt.get(key);
  }

  /** How many jobs (not being deleted) use the upload as content or style. */
  usedBy(id: string): number {
    const r = this.db
      .prepare<[string, string], { n: number }>(
        "SELECT COUNT(*) AS n FROM jobs WHERE deleting = 0 AND (content_id = ? OR EXISTS (SELECT 1 FROM json_each(jobs.style_ids_json) WHERE value = ?))",
      )
      .get(id, id);
    return r?.n ?? 0;
  }

  /** Hides the upload at once; the sweeper removes its files, then the row. */
  markDeleting(id: string): void {
    this.db.prepare("UPDATE uploads SET deleting = 1 WHERE id = ?").run(id);
  }
}

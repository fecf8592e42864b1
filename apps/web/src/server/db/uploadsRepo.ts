import type Database from "better-sqlite3";
import type { ImageRole, UploadFormat } from "../../shared/jobSchemas";

export interface UploadRow {
  id: string;
  role: ImageRole;
  format: UploadFormat;
  width: number;
  height: number;
  bytes: number;
  example_key: string | null;
  created_at: string;
}

export class UploadsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly examplesStmt;
  private readonly byExampleStmt;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare<UploadRow>(
      "INSERT INTO uploads (id, role, format, width, height, bytes, example_key, created_at) VALUES (@id, @role, @format, @width, @height, @bytes, @example_key, @created_at)",
    );
    this.getStmt = db.prepare<[string], UploadRow>("SELECT * FROM uploads WHERE id = ?");
    this.examplesStmt = db.prepare<[], UploadRow>("SELECT * FROM uploads WHERE example_key IS NOT NULL ORDER BY example_key");
    this.byExampleStmt = db.prepare<[string], UploadRow>("SELECT * FROM uploads WHERE example_key = ?");
  }

  insert(row: UploadRow): void {
    this.insertStmt.run(row);
  }

  get(id: string): UploadRow | undefined {
    return this.getStmt.get(id);
  }

  examples(): UploadRow[] {
    return this.examplesStmt.all();
  }

  byExampleKey(key: string): UploadRow | undefined {
    return this.byExampleStmt.get(key);
  }
}

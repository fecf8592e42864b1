import { ByteBuffer } from "flatbuffers";

/**
 * Bounds-checked access to flatbuffer tables, on top of the `flatbuffers` runtime's ByteBuffer.
 * The runtime trusts its input: an offset past the end reads `undefined` bytes (garbage numbers, no
 * error) and a corrupt vector length can make a loop run for billions of steps. Every read here
 * checks that what it touches lies inside the file and throws a FlatbufferError otherwise, which
 * the importer turns into a one-line "malformed TFLite file" message.
 */
export class FlatbufferError extends Error {
  override readonly name = "FlatbufferError";
}

export class FbReader {
  readonly bb: ByteBuffer;
  readonly size: number;

  constructor(bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
  }

  check(offset: number, length: number, what: string): void {
    if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new FlatbufferError(`${what} at byte ${offset} (+${length}) lies outside the ${this.size}-byte file`);
    }
  }

  /** The root table's position. */
  root(): FbTable {
    this.check(0, 4, "root offset");
    return this.table(this.bb.readUint32(0), "root table");
  }

  table(pos: number, what: string): FbTable {
    this.check(pos, 4, what);
    const vtable = pos - this.bb.readInt32(pos);
    this.check(vtable, 4, `${what} vtable`);
    const vtableSize = this.bb.readUint16(vtable);
    const tableSize = this.bb.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new FlatbufferError(`${what} has a corrupt vtable (size ${vtableSize})`);
    this.check(vtable, vtableSize, `${what} vtable`);
    this.check(pos, tableSize, what);
    return new FbTable(this, pos, vtable, vtableSize, tableSize, what);
  }
}

/** One table: fields by slot number, with the schema's default when a field is absent. */
export class FbTable {
  constructor(
    private readonly r: FbReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Offset of a field inside the table, 0 when absent; checks `width` bytes fit in the table. */
  private field(slot: number, width: number): number {
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.vtableSize) return 0;
    const off = this.r.bb.readUint16(this.vtable + entry);
    if (off === 0) return 0;
    if (off + width > this.tableSize) throw new FlatbufferError(`${this.what}: field ${slot} lies outside its table`);
    return off;
  }

  has(slot: number): boolean {
    return this.field(slot, 0) !== 0;
  }

  int8(slot: number, dflt = 0): number {
    const o = this.field(slot, 1);
    return o ? this.r.bb.readInt8(this.pos + o) : dflt;
  }

  uint8(slot: number, dflt = 0): number {
    const o = this.field(slot, 1);
    return o ? this.r.bb.readUint8(this.pos + o) : dflt;
  }

  bool(slot: number, dflt = false): boolean {
    const o = this.field(slot, 1);
    return o ? this.r.bb.readUint8(this.pos + o) !== 0 : dflt;
  }

  int32(slot: number, dflt = 0): number {
    const o = this.field(slot, 4);
    return o ? this.r.bb.readInt32(this.pos + o) : dflt;
  }

  uint32(slot: number, dflt = 0): number {
    const o = this.field(slot, 4);
    return o ? this.r.bb.readUint32(this.pos + o) : dflt;
  }

  /** A uint64 field as a number (exact up to 2^53, far beyond any file read here). */
  uint64(slot: number, dflt = 0): number {
    const o = this.field(slot, 8);
    return o ? Number(this.r.bb.readUint64(this.pos + o)) : dflt;
  }

  /** Position of a referenced object (table, vector, string), checked to lie in the file. */
  private ref(slot: number): number | undefined {
    const o = this.field(slot, 4);
    if (!o) return undefined;
    const at = this.pos + o;
    const target = at + this.r.bb.readUint32(at);
    this.r.check(target, 4, `${this.what}: field ${slot}`);
    return target;
  }

  table(slot: number, what: string): FbTable | undefined {
    const p = this.ref(slot);
    return p === undefined ? undefined : this.r.table(p, what);
  }

  /** A vector's start and length, with length × element size checked against the file. */
  private vector(slot: number, elementSize: number): { start: number; length: number } | undefined {
    const p = this.ref(slot);
    if (p === undefined) return undefined;
    const length = this.r.bb.readUint32(p);
    this.r.check(p + 4, length * elementSize, `${this.what}: vector in field ${slot} (${length} elements)`);
    return { start: p + 4, length };
  }

  string(slot: number): string | undefined {
    const v = this.vector(slot, 1);
    if (!v) return undefined;
    return new TextDecoder().decode(this.r.bb.bytes().subarray(v.start, v.start + v.length));
  }

  /** A [ubyte] vector as a view into the file (not a copy). */
  bytes(slot: number): Uint8Array | undefined {
    const v = this.vector(slot, 1);
    return v ? this.r.bb.bytes().subarray(v.start, v.start + v.length) : undefined;
  }

  int32s(slot: number): number[] | undefined {
    const v = this.vector(slot, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.bb.readInt32(v.start + 4 * i);
    return out;
  }

  float32s(slot: number): number[] | undefined {
    const v = this.vector(slot, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.bb.readFloat32(v.start + 4 * i);
    return out;
  }

  /** An int64 vector as numbers (zero points and the like: small values). */
  int64s(slot: number): number[] | undefined {
    const v = this.vector(slot, 8);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(this.r.bb.readInt64(v.start + 8 * i));
    return out;
  }

  /** A vector of tables. */
  tables(slot: number, what: string): FbTable[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    const out: FbTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const at = v.start + 4 * i;
      out.push(this.r.table(at + this.r.bb.readUint32(at), `${what} ${i}`));
    }
    return out;
  }
}

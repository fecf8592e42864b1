import type { NativeBinding, NativeOpAttr } from "../kernels/nativeBackend.js";
import type { OpTrace } from "./opTrace.js";
import { tensorflowProtos, type AttrValue, type TensorShape, type TensorflowProtos } from "./tensorflowProtos.js";

/** A traced step as a SavedModel: its bytes, the placeholders in feed order and the outputs to fetch. */
export interface StepSavedModel {
  readonly bytes: Uint8Array;
  /** Placeholder names ("name:0"): the argument's first, then each captured tensor's in `capturedIds` order. */
  readonly feeds: readonly string[];
  readonly capturedIds: readonly number[];
  readonly fetches: readonly string[];
}

/** The tag the step's one MetaGraphDef carries (TensorFlow loads a SavedModel by tag). */
export const STEP_TAG = "serve";
// A GraphDef version TensorFlow 2.12 reads; ops missing attributes get their defaults on import.
const GRAPH_DEF_PRODUCER = 1286;

/** TensorFlow's DataType enum for the tfjs dtypes a feed can have (the binding's TF_* dtype codes are the same numbers). */
const DATA_TYPE: Readonly<Record<string, number>> = { float32: 1, int32: 3, bool: 10 };

type AttrCodes = Pick<NativeBinding, "TF_ATTR_STRING" | "TF_ATTR_INT" | "TF_ATTR_FLOAT" | "TF_ATTR_BOOL" | "TF_ATTR_TYPE" | "TF_ATTR_SHAPE">;

/**
 * The GraphDef of a trace, one NodeDef per op in trace order: the argument and the captured
 * tensors become placeholders of their traced shapes, the tensors created from JS become Const
 * nodes, and each op's inputs name the node output that produced them.
 */
export function stepSavedModel(trace: OpTrace, codes: AttrCodes): StepSavedModel {
  const P = tensorflowProtos();
  const graph = new P.GraphDef();
  const versions = new P.VersionDef();
  versions.setProducer(GRAPH_DEF_PRODUCER);
  graph.setVersions(versions);
  const source = new Map<number, string>(); // binding id → "node" or "node:k"
  const dtypeOfSource = new Map<number, number>(); // for the feeds and constants: their DataType

  const shape = (dims: readonly number[]): TensorShape => {
    const s = new P.TensorShape();
    for (const d of dims) {
      const dim = new P.TensorShape.Dim();
      dim.setSize(d);
      s.addDim(dim);
    }
    return s;
  };
  const typeAttr = (type: number): AttrValue => {
    const a = new P.AttrValue();
    a.setType(type);
    return a;
  };
  const addNode = (name: string, op: string, inputs: readonly string[], attrs: Iterable<[string, AttrValue]>) => {
    const node = new P.NodeDef();
    node.setName(name);
    node.setOp(op);
    for (const i of inputs) node.addInput(i);
    for (const [k, v] of attrs) node.getAttrMap().set(k, v);
    graph.addNode(node);
  };
  const feeds: string[] = [];
  const placeholder = (id: number, dims: readonly number[], dtype: string) => {
    const type = DATA_TYPE[dtype];
    if (type === undefined) throw new Error(`a ${dtype} input`);
    const name = `feed${feeds.length}`;
    const shapeAttr = new P.AttrValue();
    shapeAttr.setShape(shape(dims));
    addNode(
      name,
      "Placeholder",
      [],
      [
        ["dtype", typeAttr(type)],
        ["shape", shapeAttr],
      ],
    );
    feeds.push(`${name}:0`);
    source.set(id, name);
    dtypeOfSource.set(id, type);
  };

  placeholder(trace.argument.id, trace.argument.tensor.shape, trace.argument.tensor.dtype);
  const capturedIds = [...trace.captured.keys()];
  for (const id of capturedIds) {
    const t = trace.captured.get(id)!;
    placeholder(id, t.shape, t.dtype);
  }
  for (const [id, c] of trace.constants) {
    const tensor = new P.Tensor();
    tensor.setDtype(c.dtype);
    tensor.setTensorShape(shape(c.shape));
    tensor.setTensorContent(c.bytes);
    const value = new P.AttrValue();
    value.setTensor(tensor);
    addNode(
      `const${id}`,
      "Const",
      [],
      [
        ["dtype", typeAttr(c.dtype)],
        ["value", value],
      ],
    );
    source.set(id, `const${id}`);
    dtypeOfSource.set(id, c.dtype);
  }
  trace.ops.forEach((op, k) => {
    op.outputs.forEach((id, j) => source.set(id, j === 0 ? `op${k}` : `op${k}:${j}`));
  });
  trace.ops.forEach((op, k) => {
    const inputs = op.inputs.map((id) => {
      const from = source.get(id);
      if (from === undefined) throw new Error(`op ${op.name} reads a tensor the trace did not see`);
      return from;
    });
    addNode(
      `op${k}`,
      op.name,
      inputs,
      op.attrs.map((a) => [a.name, attrValue(P, a, codes, shape)]),
    );
  });
  // An output that no op produced (the step returned an input or a constant as is) is fetched through an Identity.
  const fetches = trace.outputs.map((id, i) => {
    const from = source.get(id);
    if (from === undefined) throw new Error("an output the trace did not see");
    if (from.startsWith("op")) return from.includes(":") ? from : `${from}:0`;
    addNode(`output${i}`, "Identity", [from], [["T", typeAttr(dtypeOfSource.get(id)!)]]);
    return `output${i}:0`;
  });

  const info = new P.MetaGraphDef.MetaInfoDef();
  info.addTags(STEP_TAG);
  const meta = new P.MetaGraphDef();
  meta.setMetaInfoDef(info);
  meta.setGraphDef(graph);
  const model = new P.SavedModel();
  model.setSavedModelSchemaVersion(1);
  model.addMetaGraphs(meta);
  return { bytes: model.serializeBinary(), feeds, capturedIds, fetches };
}

/** One of the binding's op attributes as an AttrValue (scalars, lists and shapes, as tfjs-node passes them). */
function attrValue(P: TensorflowProtos, a: NativeOpAttr, codes: AttrCodes, shape: (dims: readonly number[]) => TensorShape): AttrValue {
  const v = new P.AttrValue();
  const utf8 = (s: unknown) => new TextEncoder().encode(String(s));
  if (a.type === codes.TF_ATTR_SHAPE) {
    v.setShape(shape(a.value as number[]));
    return v;
  }
  if (Array.isArray(a.value)) {
    const list = new P.AttrValue.ListValue();
    for (const x of a.value as unknown[]) {
      if (a.type === codes.TF_ATTR_INT) list.addI(x as number);
      else if (a.type === codes.TF_ATTR_FLOAT) list.addF(x as number);
      else if (a.type === codes.TF_ATTR_BOOL) list.addB(x as boolean);
      else if (a.type === codes.TF_ATTR_TYPE) list.addType(x as number);
      else if (a.type === codes.TF_ATTR_STRING) list.addS(utf8(x));
      else throw new Error(`attribute ${a.name} of type ${a.type}`);
    }
    v.setList(list);
    return v;
  }
  if (a.type === codes.TF_ATTR_INT) v.setI(a.value as number);
  else if (a.type === codes.TF_ATTR_FLOAT) v.setF(a.value as number);
  else if (a.type === codes.TF_ATTR_BOOL) v.setB(a.value as boolean);
  else if (a.type === codes.TF_ATTR_TYPE) v.setType(a.value as number);
  else if (a.type === codes.TF_ATTR_STRING) v.setS(utf8(a.value));
  else throw new Error(`attribute ${a.name} of type ${a.type}`);
  return v;
}

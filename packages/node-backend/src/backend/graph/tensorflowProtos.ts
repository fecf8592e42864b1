import { createRequire } from "node:module";

// The SavedModel messages tfjs-node ships (google-protobuf, generated from TensorFlow's .proto
// files): only what a step's graph needs, typed here because the package has no declarations.
interface Message {
  serializeBinary(): Uint8Array;
}
interface TensorShapeDim {
  setSize(size: number): void;
}
export interface TensorShape extends Message {
  addDim(dim: TensorShapeDim): void;
}
interface TensorProto extends Message {
  setDtype(dtype: number): void;
  setTensorShape(shape: TensorShape): void;
  setTensorContent(bytes: Uint8Array): void;
}
interface ListValue {
  addS(value: Uint8Array): void;
  addI(value: number): void;
  addF(value: number): void;
  addB(value: boolean): void;
  addType(value: number): void;
  addShape(value: TensorShape): void;
}
export interface AttrValue extends Message {
  setS(value: Uint8Array): void;
  setI(value: number): void;
  setF(value: number): void;
  setB(value: boolean): void;
  setType(value: number): void;
  setShape(value: TensorShape): void;
  setTensor(value: TensorProto): void;
  setList(value: ListValue): void;
}
interface NodeDef extends Message {
  setName(name: string): void;
  setOp(op: string): void;
  addInput(input: string): void;
  getAttrMap(): { set(key: string, value: AttrValue): void };
}
interface VersionDef {
  setProducer(version: number): void;
}
interface GraphDef extends Message {
  addNode(node: NodeDef): void;
  setVersions(versions: VersionDef): void;
}
interface MetaInfoDef {
  addTags(tag: string): void;
}
interface MetaGraphDef extends Message {
  setMetaInfoDef(info: MetaInfoDef): void;
  setGraphDef(graph: GraphDef): void;
}
interface SavedModel extends Message {
  setSavedModelSchemaVersion(version: number): void;
  addMetaGraphs(graph: MetaGraphDef): void;
}

export interface TensorflowProtos {
  TensorShape: (new () => TensorShape) & { Dim: new () => TensorShapeDim };
  Tensor: new () => TensorProto;
  AttrValue: (new () => AttrValue) & { ListValue: new () => ListValue };
  NodeDef: new () => NodeDef;
  VersionDef: new () => VersionDef;
  GraphDef: new () => GraphDef;
  MetaGraphDef: (new () => MetaGraphDef) & { MetaInfoDef: new () => MetaInfoDef };
  SavedModel: new () => SavedModel;
}

let protos: TensorflowProtos | undefined;

/** tfjs-node's compiled protos; only called once tfjs-node has loaded. */
export function tensorflowProtos(): TensorflowProtos {
  protos ??= createRequire(import.meta.url)("@tensorflow/tfjs-node/dist/proto/api_pb.js") as TensorflowProtos;
  return protos;
}

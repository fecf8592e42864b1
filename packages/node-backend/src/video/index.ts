export { probeVideo, type VideoInfo } from "./probeVideo.js";
export { decodeFrames, type DecodeRequest } from "./decodeFrames.js";
export { VideoEncoder, videoFormatFromPath, SUPPORTED_VIDEO_EXTENSIONS, type EncodeRequest, type VideoFormat } from "./encodeVideo.js";
export { framePairFlow, loadOpenCv } from "./opticalFlow.js";
export { videoFrameSize, expectedFrames } from "./videoSize.js";
export { FrameStore } from "./frameStore.js";
export { ffmpegPath, ffprobePath } from "./ffmpegTools.js";
export { stylizeVideoFromFiles, type VideoFileRequest, type VideoFileEvent, type VideoMethod } from "./videoFromFiles.js";
export { makeSyntheticClip, type SyntheticClipRequest } from "./syntheticClips.js";

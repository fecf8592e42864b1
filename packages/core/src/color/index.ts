export { RGB_TO_YIQ, YIQ_TO_RGB, applyColorMatrix, rgbToYiq, yiqToRgb, transferLuminance } from "./yiq.js";
export { colorStatistics, colorMatchingMap, matchColorStatistics, type ColorStatistics } from "./colorStatistics.js";
export { symmetricEigen3, symmetricPower3, multiply3, transpose3, invert3, type Matrix3 } from "./matrix3.js";

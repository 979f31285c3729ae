/** Affordance value functions (SayCan's "Can"): features, training, ONNX export/loading, preconditions. */
export * from './model.js';
export * from './features.js';
export * from './net.js';
export * from './metrics.js';
export * from './train.js';
export * from './manifest.js';
export * from './onnx-model.js';
export * from './preconditions.js';
export * from './explore.js';
export * from './dataset.js';

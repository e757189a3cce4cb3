/** A weight held in host memory as float32, row-major, with its shape (HF convention: Linear is [out, in]). */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** The dtypes of the safetensors format. F32/F16/BF16 weights are read into float32. */
export type SafetensorsDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U8'
  | 'BOOL';

/** A tensor to write to a safetensors file, with the data already in the stated dtype's encoding. */
export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** F32: Float32Array; F16/BF16: Uint16Array of raw bits; U8/BOOL: Uint8Array; I32: Int32Array; etc. */
  data: ArrayBufferView;
}

/** Just enough PNG for the tests: size from the header, and RGBA pixels of 8-bit RGB(A) pictures. */
import { inflateSync } from "node:zlib";

const SIGNATURE = "89504e470d0a1a0a";

export function pngSize(png: Uint8Array): { width: number; height: number } {
  const buffer = Buffer.from(png);
  if (buffer.subarray(0, 8).toString("hex") !== SIGNATURE) throw new Error("not a PNG");
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

/** Decodes a non-interlaced, 8-bit RGB or RGBA PNG (what resvg writes) to RGBA pixels. */
export function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buffer = Buffer.from(png);
  const { width, height } = pngSize(buffer);
  const depth = buffer[24];
  const colour = buffer[25];
  if (depth !== 8 || (colour !== 2 && colour !== 6) || buffer[28] !== 0)
    throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${buffer[28]}`);
  const channels = colour === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < buffer.length; ) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString("latin1", at + 4, at + 8);
    if (type === "IDAT") idat.push(buffer.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x] as number;
      const left = x >= channels ? (pixels[y * stride + x - channels] as number) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] as number) : 0;
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] as number) : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (byte + predicted) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(pixels.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** The share of pixels whose colour differs by more than `tolerance` in any channel (1 when sizes differ). */
export function pixelDifference(a: Uint8Array, b: Uint8Array, tolerance = 24): number {
  const one = decodePng(a);
  const other = decodePng(b);
  if (one.width !== other.width || one.height !== other.height) return 1;
  let differing = 0;
  for (let i = 0; i < one.rgba.length; i += 4) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs((one.rgba[i + c] as number) - (other.rgba[i + c] as number)) > tolerance) {
        differing++;
        break;
      }
    }
  }
  return differing / (one.width * one.height);
}

/**
 * A strict little PNG decoder for tests (8-bit RGB/RGBA, not interlaced: what Skia writes):
 * signature, chunk CRCs, IHDR, zlib stream and the five row filters, to RGBA pixels.
 *
 * Why not pngjs for every image: under jest its Paeth filter runs about 25× slower than in plain
 * Node (every `Math` lookup in jest's vm context goes through the sandbox global), a second per
 * 1000×560 image. The chart tests decode one image with pngjs too and compare, so this decoder is
 * itself checked against an independent one.
 */
import { crc32, inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(png: Buffer): DecodedPng {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  let offset = 8;
  let header: { width: number; height: number; channels: number } | null = null;
  const idat: Buffer[] = [];
  let ended = false;
  while (offset < png.length && !ended) {
    if (offset + 12 > png.length) throw new Error('truncated chunk');
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length || offset + 12 + length > png.length) throw new Error(`truncated ${type} chunk`);
    const crc = png.readUInt32BE(offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') {
      const [depth, colourType, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}, interlace ${interlace}`);
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), channels: colourType === 6 ? 4 : 3 };
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      ended = true;
    }
    offset += 12 + length;
  }
  if (!header || !ended || !idat.length) throw new Error('incomplete PNG (IHDR, IDAT or IEND missing)');
  const { width, height, channels } = header;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== (stride + 1) * height) throw new Error(`image data is ${raw.length} bytes, expected ${(stride + 1) * height}`);

  const abs = Math.abs;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x += 1) {
      const left = x >= channels ? pixels[row + x - channels] : 0;
      const up = y > 0 ? pixels[prev + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[prev + x - channels] : 0;
      let predicted: number;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = left; break;
        case 2: predicted = up; break;
        case 3: predicted = (left + up) >> 1; break;
        case 4: {
          const p = left + up - upLeft;
          const pa = abs(p - left);
          const pb = abs(p - up);
          const pc = abs(p - upLeft);
          predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default: throw new Error(`bad filter ${filter} on row ${y}`);
      }
      pixels[row + x] = (raw[src + x] + predicted) & 0xff;
    }
  }
  if (channels === 4) return { width, height, data: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) {
    rgba[j] = pixels[i];
    rgba[j + 1] = pixels[i + 1];
    rgba[j + 2] = pixels[i + 2];
    rgba[j + 3] = 255;
  }
  return { width, height, data: rgba };
}

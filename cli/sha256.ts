import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import type { Checksum, SourceData } from '@smithy/types'

/** The Checksum SignatureV4 asks for, over node:crypto: a plain SHA-256, or an HMAC when given a secret. */
export class Sha256 implements Checksum {
  private readonly secret: SourceData | undefined
  private hash: Hash | Hmac

  constructor(secret?: SourceData) {
    this.secret = secret
    this.hash = this.fresh()
  }

  update(data: Uint8Array): void {
    this.hash.update(data)
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest())
  }

  reset(): void {
    this.hash = this.fresh()
  }

  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256')
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(toBytes(this.secret))
    return createHmac('sha256', key)
  }
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data)
}

/* cor_train.h -- checkpoints of training runs: named binary sections in one file, written
 * atomically, with a version header and CRC-32 checksums.
 *
 * File layout (all integers little-endian):
 *   offset 0   8 bytes  magic "CORCKPT\0"
 *          8   u32      format version (COR_CKPT_VERSION)
 *         12   u32      number of sections S
 *         16   u64      total file length in bytes
 *         24   S sections, each: name (16 bytes, NUL-padded; [a-z0-9_], 1..15 characters),
 *                       u64 payload length L, u32 CRC-32 of the payload, u32 zero, the L
 *                       payload bytes, then zero bytes up to a multiple of 8
 *        end-8 u32      CRC-32 of every byte before it; then the 4 bytes "END\n".
 * CRC-32 is the ISO-HDLC / zlib polynomial (reflected 0xEDB88320, initial and final
 * complement; crc("123456789") = 0xCBF43926).
 * The trainer's sections (experiments/corridor_train.c, doc/train.md): "config" and
 * "progress" (text, key=value lines), "params" and "model_state" (binary32 arrays), "stepper"
 * (cor_step_state_save's record).
 *
 * Writing (cor_ckpt_write): to "FILE.tmp.XXXXXX" in the same folder, fsync, rename onto
 * FILE, fsync of the folder: a crash leaves the old file or the new one, never a mixture.
 * Reading (cor_ckpt_read) checks everything before returning: magic, version, length,
 * section bounds, each section's checksum, the file checksum; a failure is COR_EPARSE with a
 * message naming the file, the byte offset and the section.
 */
#ifndef COR_TRAIN_H
#define COR_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cor_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COR_CKPT_VERSION 1u
#define COR_CKPT_NAME_MAX 15

typedef struct cor_ckpt cor_ckpt;

/* CRC-32 of buf[0..len) continuing crc (start with 0). */
uint32_t cor_crc32(uint32_t crc, const void *buf, size_t len);

/* An empty checkpoint to fill with sections. NULL with COR_ENOMEM. */
cor_ckpt *cor_ckpt_alloc(void);
/* Frees c and the data it owns. NULL is a no-op. */
void cor_ckpt_free(cor_ckpt *c);

/* Adds section name with the len bytes at data. The bytes are referenced, not copied: they
 * must stay valid until cor_ckpt_write. COR_EINVAL for a bad or repeated name, COR_ENOMEM. */
COR_WARN_UNUSED int cor_ckpt_add(cor_ckpt *c, const char *name, const void *data, size_t len);
/* Adds n floats as binary32 little-endian (referenced on a little-endian host, else copied
 * with the bytes swapped). */
COR_WARN_UNUSED int cor_ckpt_add_f32(cor_ckpt *c, const char *name, const float *data,
                                     size_t n);
/* Adds a copy of the text (without its terminating NUL). */
COR_WARN_UNUSED int cor_ckpt_add_text(cor_ckpt *c, const char *name, const char *text);

/* Writes c to path atomically (see the top). COR_EIO naming the file on failure (the
 * temporary file is then removed and path left as it was), COR_EINVAL. */
COR_WARN_UNUSED int cor_ckpt_write(const cor_ckpt *c, const char *path);

/* Reads and verifies the checkpoint at path. NULL on error: COR_EIO (cannot read),
 * COR_EPARSE (not a checkpoint, another version, truncated, a checksum mismatch: the message
 * names the file, the byte offset and the section), COR_ENOMEM. */
cor_ckpt *cor_ckpt_read(const char *path);

/* The payload of section name and its length, or NULL when absent (nothing recorded). The
 * pointer is valid until c is freed. */
const void *cor_ckpt_get(const cor_ckpt *c, const char *name, size_t *len);
/* Copies section name into n floats at out: COR_OK, or COR_EPARSE when it is absent or has
 * another length (the message names the section and the path c was read from). */
COR_WARN_UNUSED int cor_ckpt_get_f32(const cor_ckpt *c, const char *name, float *out, size_t n);
/* The value of key in the text section name ("key=value" lines) copied into buf (size
 * cap): COR_OK, COR_EPARSE (absent section or key), COR_EBADLEN (too long). */
COR_WARN_UNUSED int cor_ckpt_get_kv(const cor_ckpt *c, const char *name, const char *key,
                                    char *buf, size_t cap);
/* Number of sections and the name of section i (NULL out of range). */
size_t cor_ckpt_nsections(const cor_ckpt *c);
const char *cor_ckpt_section_name(const cor_ckpt *c, size_t i);

#ifdef __cplusplus
}
#endif
#endif

/* checkpoint.c -- sectioned checkpoint files with CRC-32 checksums, written atomically. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cor_sys.h"
#include "cor_train.h"

#define HEADER 24
#define SECHDR 32
#define TRAILER 8
#define MAXSEC 64

static const unsigned char magic[8] = {'C', 'O', 'R', 'C', 'K', 'P', 'T', 0};

typedef struct
{
    char name[COR_CKPT_NAME_MAX + 1];
    const unsigned char *data;
    size_t len;
    unsigned char *owned; /* data when the section owns it */
} section;

struct cor_ckpt
{
    section sec[MAXSEC];
    size_t n;
    unsigned char *file; /* read: the whole file */
    char *path;          /* read: where from */
};

/* ---- CRC-32 (reflected polynomial 0xEDB88320), a table built on first use ------------------ */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++)
    {
        uint32_t c = i;

        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t
cor_crc32(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;

    pthread_once(&crc_once, crc_init);
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- little-endian helpers ---------------------------------------------------------------- */

static void
le32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static void
le64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
rd32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t
rd64(const unsigned char *b)
{
    return (uint64_t)rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

static int
host_is_le(void)
{
    uint32_t one = 1;
    unsigned char b;

    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- building ----------------------------------------------------------------------------- */

cor_ckpt *
cor_ckpt_alloc(void)
{
    return cor_calloc(1, sizeof(cor_ckpt));
}

void
cor_ckpt_free(cor_ckpt *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        cor_free(c->sec[i].owned);
    cor_free(c->file);
    cor_free(c->path);
    cor_free(c);
}

static int
check_name(const cor_ckpt *c, const char *name)
{
    size_t len = name ? strlen(name) : 0;

    if (len == 0 || len > COR_CKPT_NAME_MAX)
        return COR_ERROR(COR_EINVAL, "checkpoint section name '%s': 1 to %d characters",
                         name ? name : "(null)", COR_CKPT_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')
              || name[i] == '_'))
            return COR_ERROR(COR_EINVAL, "checkpoint section name '%s': only [a-z0-9_]", name);
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->sec[i].name, name) == 0)
            return COR_ERROR(COR_EINVAL, "checkpoint section '%s' added twice", name);
    if (c->n == MAXSEC)
        return COR_ERROR(COR_EINVAL, "checkpoint: at most %d sections", MAXSEC);
    return COR_OK;
}

static int
add(cor_ckpt *c, const char *name, const void *data, size_t len, unsigned char *owned)
{
    int st;

    if (!c || (!data && len))
    {
        cor_free(owned);
        return COR_ERROR(COR_EINVAL, "cor_ckpt_add: NULL argument");
    }
    if ((st = check_name(c, name)) != COR_OK)
    {
        cor_free(owned);
        return st;
    }
    snprintf(c->sec[c->n].name, sizeof c->sec[c->n].name, "%s", name);
    c->sec[c->n].data = data;
    c->sec[c->n].len = len;
    c->sec[c->n].owned = owned;
    c->n++;
    return COR_OK;
}

int
cor_ckpt_add(cor_ckpt *c, const char *name, const void *data, size_t len)
{
    return add(c, name, data, len, NULL);
}

int
cor_ckpt_add_f32(cor_ckpt *c, const char *name, const float *data, size_t n)
{
    unsigned char *copy;

    if (n > SIZE_MAX / 4)
        return COR_ERROR(COR_EINVAL, "cor_ckpt_add_f32: too many floats");
    if (host_is_le())
        return add(c, name, data, 4 * n, NULL);
    if (!(copy = cor_mallocarray(n ? n : 1, 4)))
        return COR_ENOMEM;
    for (size_t i = 0; i < n; i++)
    {
        uint32_t w;

        memcpy(&w, &data[i], 4);
        le32(copy + 4 * i, w);
    }
    return add(c, name, copy, 4 * n, copy);
}

int
cor_ckpt_add_text(cor_ckpt *c, const char *name, const char *text)
{
    char *copy;

    if (!text)
        return COR_ERROR(COR_EINVAL, "cor_ckpt_add_text: NULL text");
    if (!(copy = cor_strdup(text)))
        return COR_ENOMEM;
    return add(c, name, copy, strlen(copy), (unsigned char *)copy);
}

/* ---- writing ------------------------------------------------------------------------------ */

static int
write_all(FILE *f, const void *p, size_t n, uint32_t *crc)
{
    if (n == 0) /* an empty section may have no buffer at all */
        return 0;
    *crc = cor_crc32(*crc, p, n);
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

int
cor_ckpt_write(const cor_ckpt *c, const char *path)
{
    unsigned char hdr[HEADER], sh[SECHDR], trailer[TRAILER], zeros[8] = {0};
    uint64_t total = HEADER + TRAILER;
    uint32_t crc = 0;
    char *tmp = NULL, *dircopy = NULL;
    size_t plen;
    FILE *f = NULL;
    int fd = -1, failed = 0;

    if (!c || !path)
        return COR_ERROR(COR_EINVAL, "cor_ckpt_write: NULL argument");
    for (size_t i = 0; i < c->n; i++)
        total += SECHDR + ((c->sec[i].len + 7) & ~(size_t)7);
    plen = strlen(path) + 16;
    if (!(tmp = cor_malloc(plen)))
        return COR_ENOMEM;
    snprintf(tmp, plen, "%s.tmp.XXXXXX", path);
    if ((fd = mkstemp(tmp)) >= 0)
    {
        /* mkstemp makes 0600; a checkpoint gets 0666 less the umask, as fopen would */
        mode_t um = umask(0);

        umask(um);
        (void)fchmod(fd, 0666 & ~um);
    }
    if (fd < 0 || !(f = fdopen(fd, "wb")))
    {
        int e = errno;

        if (fd >= 0)
        {
            close(fd);
            unlink(tmp);
        }
        cor_free(tmp);
        return COR_ERROR(COR_EIO, "%s: cannot create a temporary file: %s", path, strerror(e));
    }
    memcpy(hdr, magic, 8);
    le32(hdr + 8, COR_CKPT_VERSION);
    le32(hdr + 12, (uint32_t)c->n);
    le64(hdr + 16, total);
    failed |= write_all(f, hdr, HEADER, &crc);
    for (size_t i = 0; i < c->n && !failed; i++)
    {
        size_t pad = ((c->sec[i].len + 7) & ~(size_t)7) - c->sec[i].len;

        memset(sh, 0, sizeof sh);
        memcpy(sh, c->sec[i].name, strlen(c->sec[i].name));
        le64(sh + 16, c->sec[i].len);
        le32(sh + 24, c->sec[i].len ? cor_crc32(0, c->sec[i].data, c->sec[i].len) : 0);
        failed |= write_all(f, sh, SECHDR, &crc);
        failed |= write_all(f, c->sec[i].data, c->sec[i].len, &crc);
        failed |= write_all(f, zeros, pad, &crc);
    }
    le32(trailer, crc);
    memcpy(trailer + 4, "END\n", 4);
    failed |= fwrite(trailer, 1, TRAILER, f) != TRAILER;
    failed |= fflush(f) != 0;
    failed |= fsync(fileno(f)) != 0;
    failed |= fclose(f) != 0;
    if (failed || rename(tmp, path) != 0)
    {
        int e = errno;

        unlink(tmp);
        cor_free(tmp);
        return COR_ERROR(COR_EIO, "%s: cannot write the checkpoint: %s", path, strerror(e));
    }
    cor_free(tmp);
    /* make the rename durable */
    if ((dircopy = cor_strdup(path)))
    {
        int dfd = open(dirname(dircopy), O_RDONLY);

        if (dfd >= 0)
        {
            (void)fsync(dfd);
            close(dfd);
        }
        cor_free(dircopy);
    }
    return COR_OK;
}

/* ---- reading ------------------------------------------------------------------------------ */

cor_ckpt *
cor_ckpt_read(const char *path)
{
    cor_ckpt *c = NULL;
    FILE *f = NULL;
    long size;
    size_t len, off, nsec;
    uint64_t total;
    uint32_t version, stored, computed;

    if (!path)
    {
        COR_ERROR(COR_EINVAL, "cor_ckpt_read: NULL path");
        return NULL;
    }
    if (!(c = cor_ckpt_alloc()) || !(c->path = cor_strdup(path)))
        goto fail;
    if (!(f = fopen(path, "rb")))
    {
        COR_ERROR(COR_EIO, "%s: cannot open the checkpoint: %s", path, strerror(errno));
        goto fail;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
    {
        COR_ERROR(COR_EIO, "%s: cannot determine the size: %s", path, strerror(errno));
        goto fail;
    }
    len = (size_t)size;
    if (!(c->file = cor_malloc(len ? len : 1)))
        goto fail;
    if (fread(c->file, 1, len, f) != len)
    {
        COR_ERROR(COR_EIO, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    fclose(f);
    f = NULL;
    if (len < 8 || memcmp(c->file, magic, 8) != 0)
    {
        COR_ERROR(COR_EPARSE, "%s: byte offset 0: not a corridor checkpoint (bad magic)", path);
        goto fail;
    }
    if (len < HEADER + TRAILER)
    {
        COR_ERROR(COR_EPARSE, "%s: truncated at byte offset %zu (the header needs %d bytes)",
                  path, len, HEADER + TRAILER);
        goto fail;
    }
    version = rd32(c->file + 8);
    if (version != COR_CKPT_VERSION)
    {
        COR_ERROR(COR_EPARSE, "%s: byte offset 8: checkpoint format version %u, this program "
                  "reads version %u", path, version, COR_CKPT_VERSION);
        goto fail;
    }
    nsec = rd32(c->file + 12);
    total = rd64(c->file + 16);
    if (total != len)
    {
        COR_ERROR(COR_EPARSE, "%s: %s at byte offset %zu: the header (offset 16) gives a length "
                  "of %llu bytes", path, total > len ? "truncated" : "unexpected data",
                  total > len ? len : (size_t)total, (unsigned long long)total);
        goto fail;
    }
    if (nsec > MAXSEC)
    {
        COR_ERROR(COR_EPARSE, "%s: byte offset 12: %zu sections (at most %d)", path, nsec,
                  MAXSEC);
        goto fail;
    }
    off = HEADER;
    for (size_t i = 0; i < nsec; i++)
    {
        const unsigned char *sh = c->file + off;
        section *s = &c->sec[i];
        uint64_t slen, padded;

        if (len - TRAILER - off < SECHDR)
        {
            COR_ERROR(COR_EPARSE, "%s: byte offset %zu: section %zu header runs past the end",
                      path, off, i + 1);
            goto fail;
        }
        memcpy(s->name, sh, 16);
        s->name[COR_CKPT_NAME_MAX] = '\0';
        slen = rd64(sh + 16);
        padded = (slen + 7) & ~(uint64_t)7;
        if (padded < slen || padded > len - TRAILER - off - SECHDR)
        {
            COR_ERROR(COR_EPARSE, "%s: byte offset %zu: section '%s' of %llu bytes runs past the "
                      "end", path, off, s->name, (unsigned long long)slen);
            goto fail;
        }
        s->data = sh + SECHDR;
        s->len = (size_t)slen;
        stored = rd32(sh + 24);
        computed = cor_crc32(0, s->data, s->len);
        if (stored != computed)
        {
            COR_ERROR(COR_EPARSE, "%s: section '%s' (payload at byte offset %zu, %zu bytes): "
                      "checksum mismatch (stored %08x, computed %08x): the file is corrupt",
                      path, s->name, off + SECHDR, s->len, stored, computed);
            goto fail;
        }
        c->n = i + 1;
        off += SECHDR + (size_t)padded;
    }
    if (off != len - TRAILER)
    {
        COR_ERROR(COR_EPARSE, "%s: byte offset %zu: %zu unexpected bytes after the last section",
                  path, off, len - TRAILER - off);
        goto fail;
    }
    stored = rd32(c->file + off);
    computed = cor_crc32(0, c->file, off);
    if (stored != computed || memcmp(c->file + off + 4, "END\n", 4) != 0)
    {
        COR_ERROR(COR_EPARSE, "%s: byte offset %zu: file checksum mismatch (stored %08x, "
                  "computed %08x): the file is corrupt", path, off, stored, computed);
        goto fail;
    }
    return c;

fail:
    if (f)
        fclose(f);
    cor_ckpt_free(c);
    return NULL;
}

const void *
cor_ckpt_get(const cor_ckpt *c, const char *name, size_t *len)
{
    if (!c || !name)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->sec[i].name, name) == 0)
        {
            if (len)
                *len = c->sec[i].len;
            return c->sec[i].data;
        }
    return NULL;
}

int
cor_ckpt_get_f32(const cor_ckpt *c, const char *name, float *out, size_t n)
{
    size_t len;
    const unsigned char *p = cor_ckpt_get(c, name, &len);
    const char *path = c && c->path ? c->path : "checkpoint";

    if (!p)
        return COR_ERROR(COR_EPARSE, "%s: no section '%s'", path, name);
    if (len != 4 * n)
        return COR_ERROR(COR_EPARSE, "%s: section '%s' holds %zu bytes, expected %zu floats "
                         "(%zu bytes): another model?", path, name, len, n, 4 * n);
    for (size_t i = 0; i < n; i++)
    {
        uint32_t w = rd32(p + 4 * i);

        memcpy(&out[i], &w, 4);
    }
    return COR_OK;
}

int
cor_ckpt_get_kv(const cor_ckpt *c, const char *name, const char *key, char *buf, size_t cap)
{
    size_t len, klen = key ? strlen(key) : 0;
    const char *p = cor_ckpt_get(c, name, &len);
    const char *path = c && c->path ? c->path : "checkpoint";
    const char *end;

    if (!p)
        return COR_ERROR(COR_EPARSE, "%s: no section '%s'", path, name);
    end = p + len;
    while (p < end)
    {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;

        if ((size_t)(le - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=')
        {
            size_t vlen = (size_t)(le - p) - klen - 1;

            if (vlen + 1 > cap)
                return COR_ERROR(COR_EBADLEN, "%s: value of %s in '%s' is too long", path, key,
                                 name);
            memcpy(buf, p + klen + 1, vlen);
            buf[vlen] = '\0';
            return COR_OK;
        }
        p = le + 1;
    }
    return COR_ERROR(COR_EPARSE, "%s: section '%s' has no key '%s'", path, name, key);
}

size_t
cor_ckpt_nsections(const cor_ckpt *c)
{
    return c ? c->n : 0;
}

const char *
cor_ckpt_section_name(const cor_ckpt *c, size_t i)
{
    return c && i < c->n ? c->sec[i].name : NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * Host-side image file access: reading and validating an image (trailer,
 * section table, kernel and app ELF, args, env, rootfs) from a read-only
 * mapping, and writing a new image atomically (build).
 */
#ifndef MON_IMAGE_H
#define MON_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "elf64.h"
#include "onyx/abi.h"
#include "util.h"

/* Section contents are aligned so the app ELF and rootfs can be used in
 * place from a mapping; the app starts on a page. */
#define MON_IMAGE_APP_ALIGN ONYX_PAGE_SIZE
#define MON_IMAGE_SECTION_ALIGN 16u
/* Largest image accepted: guest memory cannot hold more anyway. */
#define MON_IMAGE_MAX_BYTES MON_MEM_MAX

struct mon_image {
    const uint8_t *data; /* whole file, read-only */
    uint64_t size;
    bool mapped; /* data is an mmap we own */
    struct onyx_image_trailer trailer;

    struct mon_elf kernel;
    struct mon_elf app;
    uint64_t app_offset; /* in the file */
    uint64_t app_size;

    const char *args; /* default argv[1..], NUL-separated, or NULL */
    uint64_t args_size;
    uint32_t argc; /* strings in args */
    const char *env;
    uint64_t env_size;
    uint32_t envc;
    const uint8_t *rootfs;
    uint64_t rootfs_size;
    const char *name; /* NUL-terminated, never NULL after open */
    uint64_t default_mem; /* 0 when the image sets none */
    uint32_t kernel_variant; /* enum onyx_kernel_variant */
    uint32_t components;     /* ONYX_COMPONENT_* bits, 0 unrecorded */
    uint64_t lwip_size;      /* bytes, 0 without lwIP */
};

/*
 * Maps `path` read-only and validates everything in it (see
 * mon_image_parse). Returns 0 or -errno with a message in `err`.
 */
int mon_image_open(struct mon_image *img, const char *path,
                   struct mon_err *err);
/*
 * Validates an image held in data[0..size) (8-byte aligned) and fills
 * `img`, which points into `data`. Checks: trailer magic and versions,
 * section table and every section inside [kernel end, table), no
 * overlap, known and unique types, kernel and app ELF, NUL-terminated
 * strings, env entries of the K=V form, rootfs structure, config.
 * Returns 0, -EINVAL or -ENOEXEC with a precise message.
 */
int mon_image_parse(struct mon_image *img, const void *data, uint64_t size,
                    struct mon_err *err);
void mon_image_close(struct mon_image *img);

/* What `onyx build` puts in an image. */
struct mon_image_spec {
    const void *kernel;
    uint64_t kernel_size;
    const void *app;
    uint64_t app_size;
    const struct mon_strvec *args; /* argv[1..] */
    const struct mon_strvec *env;
    const void *rootfs; /* NULL when none */
    uint64_t rootfs_size;
    const char *name;
    uint64_t default_mem; /* 0 for the monitor's default */
    uint32_t kernel_variant; /* enum onyx_kernel_variant */
    uint32_t components;     /* ONYX_COMPONENT_* bits */
    uint64_t lwip_size;      /* bytes of lwIP in `kernel` */
};

/* Serialises an image into a malloc'd buffer. Returns 0 or -ENOMEM. */
int mon_image_build(const struct mon_image_spec *spec, uint8_t **out,
                    uint64_t *size);

/* Writes an image to `path` through a temporary file in the same
 * directory and rename(), so a failure never leaves a partial image.
 * Returns 0 or -errno with a message. */
int mon_image_write(const char *path, const struct mon_image_spec *spec,
                    struct mon_err *err);

/* Name of a section type for messages, "unknown" otherwise. */
const char *mon_image_section_name(uint32_t type);

#endif

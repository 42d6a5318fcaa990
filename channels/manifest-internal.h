/*
 * manifest-internal.h — details the manifest parser shares with channel.c.
 * Not part of the public interface (channels.h).
 */
#ifndef ZVM_MANIFEST_INTERNAL_H
#define ZVM_MANIFEST_INTERNAL_H

/* The descriptor number of an "fd:N" URI (N plain decimal, 0..INT_MAX);
 * -ENOENT if uri is not of that form, -EINVAL if N is malformed. Pure. */
int zvm_channel_uri_fd(const char *uri);

#endif /* ZVM_MANIFEST_INTERNAL_H */

/*
 * client.h — talking to zvmd, for `zvm submit`, `zvm upload`, `zvm status`
 * and `zvm map --socket`: connecting, reading an answer (an ERROR printed
 * and turned into a status), uploading an image.
 */
#ifndef ZVM_TOOLS_CLIENT_H
#define ZVM_TOOLS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "sfi/sfi.h"

#define ZVM_DEFAULT_SOCKET "/run/zvm.sock"

/* A connected socket, or -errno. */
int zvm_client_connect(const char *path);
/* Reads zvmd's answer into a malloc'ed *payload (free it): returns the
 * message type, -1 on a broken connection, or -(100 + code) for an ERROR
 * (printed on stderr as "CMD: zvmd refused ...: text"). */
int zvm_client_answer(int fd, const char *cmd, uint8_t **payload, size_t *len);
/* The exit status for an answer that was no report: 75 when zvmd was busy
 * or at a limit (try again later), else 125. */
int zvm_client_refusal_status(int answer);
/* Uploads the image at path: 0 with its digest; 126 when zvmd refused the
 * image (*rep: validation failed, or not an image) or 125 when it cannot
 * be opened here (*rep's message says why); or minus an exit status when
 * zvmd could not be used (unreachable: -125; busy or at a limit: -75;
 * *rep's message says why, a refusal also printed as it came). */
int zvm_client_upload(const char *sock, const char *cmd, const char *path, uint8_t digest[32],
		      struct zvm_report *rep);

#endif

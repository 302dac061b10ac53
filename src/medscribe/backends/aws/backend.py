"""The AWS backend: Transcribe Medical batch jobs, streams and custom vocabularies over S3.

This module owns every call medscribe makes to S3 and Transcribe for batch work,
and the backend's side of the contract: its capabilities, its validation (the
service's rules, :mod:`medscribe.backends.aws.rules`), its streams (handed to
:mod:`medscribe.backends.aws.streaming`). Media are checked locally (format
from the file's contents, sample rate, limits, and the batch-only PRIMARYCARE
rule) before any AWS call, then uploaded with
boto3's managed transfer (multipart above a threshold, server-side encryption)
to ``s3://<bucket>/<input_prefix><job>/audio.<format>``, and the job writes its
transcript to ``<output_prefix><job>.json`` in the output bucket (with
``ContentIdentificationType=PHI`` when the options ask for content
identification: the service then lists the PHI it found as ``results.entities``). No key holds
the input's file name (patient data): only the job name (which the batch derives
from the content, not the name) and the detected format. Errors come
out as medscribe.errors classes (see :mod:`medscribe.backends.aws.errors`).
Nothing here logs or raises with transcript text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlparse

from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from medscribe import media as media_mod
from medscribe.backends.aws import rules
from medscribe.backends.aws.errors import error_code, map_aws_error
from medscribe.backends.aws.session import (
    BACKEND,
    MISSING_BUCKET,
    AwsClients,
    encryption_args,
    ensure_ready,
    make_clients,
)
from medscribe.backends.base import (
    Capabilities,
    Job,
    JobStatus,
    OnEvent,
    ProgressFactory,
    PurgeResult,
    Stopped,
    Vocabulary,
)
from medscribe.backends.checks import Check
from medscribe.config import Settings
from medscribe.errors import (
    ConfigError,
    JobFailedError,
    NotFoundError,
    NotReadyError,
    ValidationError,
)
from medscribe.request import (
    Specialty,
    TranscriptionOptions,
    TranscriptionType,
    validate_job_name,
    validate_vocabulary_name,
)
from medscribe.transcript import Transcript, codec
from medscribe.vocabulary import VocabularyState, parse_vocabulary

if TYPE_CHECKING:
    from medscribe.streaming.source import AudioSource

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Jobs run on the service whatever this process does; media are uploaded first.
CAPABILITIES = Capabilities(
    detach=False,
    upload_progress=True,
    job_progress=False,
    parallel_jobs=True,
    jobs_survive_interrupt=True,
    job_store=False,
)

MB = 1024 * 1024
#: Multipart above 16 MB in 16 MB parts (S3's minimum part is 5 MB), 4 parts at a time.
DEFAULT_TRANSFER = TransferConfig(
    multipart_threshold=16 * MB, multipart_chunksize=16 * MB, max_concurrency=4
)


class AwsBackend:
    """The :class:`~medscribe.backends.base.Backend` protocol over Transcribe Medical and S3."""

    name = "aws"

    def __init__(
        self,
        settings: Settings,
        *,
        transfer_config: TransferConfig | None = None,
        progress_factory: ProgressFactory | None = None,
        stream_endpoint: str | None = None,
    ) -> None:
        self.settings = settings
        self.transfer_config = transfer_config or DEFAULT_TRANSFER
        #: progress_factory(path, total_bytes) -> callback(bytes_sent); None uploads silently.
        self.progress_factory = progress_factory
        #: Another streaming WebSocket endpoint (tests, private deployments); None: the
        #: region's own, or ``$MEDSCRIBE_STREAM_ENDPOINT``.
        self.stream_endpoint = stream_endpoint
        self._clients: AwsClients | None = None
        # The batch runner shares one backend between threads; boto3 sessions are not
        # thread-safe while they build clients, the clients themselves are.
        self._lock = threading.Lock()
        #: Output locations of jobs this process started (the service does not report OutputKey).
        self._outputs: dict[str, tuple[str, str]] = {}

    # ------------------------------------------------------------------ plumbing

    @property
    def clients(self) -> AwsClients:
        """Clients are made on first use so that validation errors come before AWS set-up."""
        with self._lock:
            if self._clients is None:
                self._clients = make_clients(self.settings)
            return self._clients

    @property
    def region(self) -> str:
        return self.clients.region

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def _bucket(self) -> str:
        if not self.settings.bucket:
            raise NotReadyError(BACKEND, [MISSING_BUCKET])
        return self.settings.bucket

    def _output_bucket(self) -> str:
        return self.settings.output_bucket or self._bucket()

    def input_key(self, job_name: str, media_format: str) -> str:
        """Where a job's audio goes: named after the job and format, never the file."""
        return f"{self.settings.input_prefix}{job_name}/audio.{media_format}"

    def output_key(self, job_name: str) -> str:
        return f"{self.settings.output_prefix}{job_name}.json"

    def _call(
        self, action: str, fn: Callable[..., T], /, *, err: dict[str, Any], **params: Any
    ) -> T:
        """Call an AWS API, mapping its failures to one clear medscribe error."""
        try:
            return fn(**params)
        except (ClientError, BotoCoreError) as exc:
            raise map_aws_error(exc, action, **err) from None

    # ------------------------------------------------------------------ uploads

    def upload(self, path: Path, bucket: str, key: str) -> str:
        """Upload ``path`` by managed transfer (multipart when large); returns its s3:// URI."""
        size = path.stat().st_size
        callback = self.progress_factory(path, size) if self.progress_factory else None
        try:
            self.clients.s3.upload_file(
                str(path),
                bucket,
                key,
                ExtraArgs=dict(encryption_args(self.settings)),
                Callback=callback,
                Config=self.transfer_config,
            )
        except S3UploadFailedError as exc:
            cause = exc.__context__
            if isinstance(cause, ClientError | BotoCoreError):
                raise map_aws_error(cause, "s3:PutObject", bucket=bucket) from None
            raise map_aws_error(exc, "s3:PutObject", bucket=bucket) from None
        except (ClientError, BotoCoreError) as exc:
            raise map_aws_error(exc, "s3:PutObject", bucket=bucket) from None
        log.info("uploaded %s bytes to s3://%s/%s", size, bucket, key)
        return f"s3://{bucket}/{key}"

    def report_uploads(self, factory: ProgressFactory | None) -> None:
        self.progress_factory = factory

    # ------------------------------------------------------------------ requests

    def validate(
        self,
        options: TranscriptionOptions,
        media: Path | None = None,
        *,
        streaming: bool = False,
    ) -> None:
        """The service's rules for a stream, or for a batch job (and its media, if given)."""
        if streaming:
            rules.check_stream_options(options)
        elif media is None:
            rules.check_batch_options(options)
        else:
            self.check_media(Path(media), options)

    def check_ready(self, *, streaming: bool = False) -> None:
        """Bucket (batch only), region and credentials: everything missing in one error."""
        ensure_ready(self.settings, need_bucket=not streaming)

    def checks(self, *, deep: bool = False) -> list[Check]:
        """Region, credentials, buckets and permissions (``deep`` adds nothing here)."""
        from medscribe.backends.aws.doctor import aws_checks

        return aws_checks(self.settings)

    def check_media(self, media: Path, options: TranscriptionOptions) -> media_mod.MediaInfo:
        """Every local check of a batch request; raises before any AWS call."""
        rules.check_batch_options(options)
        info = media_mod.probe(media)
        rules.check_batch_media(info, channel_identification=options.channel_identification)
        return info

    # ------------------------------------------------------------------ jobs

    def start_job(self, name: str, media: Path, options: TranscriptionOptions) -> Job:
        validate_job_name(name)
        media = Path(media)
        info = self.check_media(media, options)
        bucket, out_bucket = self._bucket(), self._output_bucket()
        self._ensure_job_name_free(name)
        uri = self.upload(media, bucket, self.input_key(name, info.format))
        params: dict[str, Any] = {
            "MedicalTranscriptionJobName": name,
            "LanguageCode": options.language_code,
            "MediaFormat": info.format,
            "MediaSampleRateHertz": info.sample_rate,
            "Media": {"MediaFileUri": uri},
            "OutputBucketName": out_bucket,
            "OutputKey": self.output_key(name),
            "Specialty": options.specialty.value,
            "Type": options.type.value,
        }
        if self.settings.kms_key_id:
            params["OutputEncryptionKMSKeyId"] = self.settings.kms_key_id
        settings = options.settings()
        if settings:
            params["Settings"] = settings
        if options.content_identification is not None:
            # A top-level parameter, not a Setting (phi-id-batch.md): the service then
            # writes the PHI it finds as results.entities.
            params["ContentIdentificationType"] = options.content_identification.value
        response = self._call(
            "transcribe:StartMedicalTranscriptionJob",
            self.clients.transcribe.start_medical_transcription_job,
            err={"name": name, "bucket": out_bucket, "vocabulary": options.vocabulary},
            **params,
        )
        self._outputs[name] = (out_bucket, self.output_key(name))
        job = _job_from_service(response["MedicalTranscriptionJob"])
        # The start response omits some fields; fill them from the request.
        job.media_uri = job.media_uri or uri
        job.sample_rate = job.sample_rate or info.sample_rate
        job.settings = job.settings or settings
        job.content_identification = job.content_identification or params.get(
            "ContentIdentificationType"
        )
        return job

    def _ensure_job_name_free(self, name: str) -> None:
        """Refuse a taken name before uploading: a rerun must not overwrite another job's media."""
        try:
            self.clients.transcribe.get_medical_transcription_job(MedicalTranscriptionJobName=name)
        except ClientError as exc:
            mapped = map_aws_error(exc, "transcribe:GetMedicalTranscriptionJob", name=name)
            if isinstance(mapped, NotFoundError):
                return
            raise mapped from None
        except BotoCoreError as exc:
            raise map_aws_error(exc, "transcribe:GetMedicalTranscriptionJob") from None
        raise map_aws_error(
            ClientError({"Error": {"Code": "ConflictException"}}, "StartMedicalTranscriptionJob"),
            "transcribe:StartMedicalTranscriptionJob",
            name=name,
        )

    def get_job(self, name: str) -> Job:
        response = self._call(
            "transcribe:GetMedicalTranscriptionJob",
            self.clients.transcribe.get_medical_transcription_job,
            err={"name": name},
            MedicalTranscriptionJobName=name,
        )
        return _job_from_service(response["MedicalTranscriptionJob"])

    def list_jobs(
        self, *, status: JobStatus | None = None, contains: str | None = None
    ) -> list[Job]:
        params: dict[str, Any] = {"MaxResults": 100}
        if status is not None:
            params["Status"] = status.value
        if contains:
            params["JobNameContains"] = contains
        jobs: list[Job] = []
        while True:
            response = self._call(
                "transcribe:ListMedicalTranscriptionJobs",
                self.clients.transcribe.list_medical_transcription_jobs,
                err={},
                **params,
            )
            summaries = response.get("MedicalTranscriptionJobSummaries", [])
            jobs.extend(_job_from_service(s) for s in summaries)
            token = response.get("NextToken")
            if not token:
                break
            params["NextToken"] = token
        jobs.sort(key=lambda j: j.created.timestamp() if j.created else 0.0, reverse=True)
        return jobs

    def delete_job(self, name: str) -> None:
        """Delete the job record; the media and transcript stay in your bucket."""
        self._call(
            "transcribe:DeleteMedicalTranscriptionJob",
            self.clients.transcribe.delete_medical_transcription_job,
            err={"name": name},
            MedicalTranscriptionJobName=name,
        )

    def transcript_locations(self, job: Job) -> list[tuple[str, str]]:
        """Where the transcript may be: as started here, the job's URI, then from settings."""
        places: list[tuple[str, str]] = []
        if job.name in self._outputs:
            places.append(self._outputs[job.name])
        parsed = parse_s3_url(job.transcript_uri) if job.transcript_uri else None
        if parsed:
            places.append(parsed)
        if self.settings.bucket or self.settings.output_bucket:
            places.append((self._output_bucket(), self.output_key(job.name)))
        return list(dict.fromkeys(places))

    def get_transcript(self, job: Job) -> Transcript:
        if job.status is JobStatus.FAILED:
            raise JobFailedError(job.name, job.failure_reason)
        if job.status is not JobStatus.COMPLETED:
            raise ValidationError(f"job {job.name} is {job.status.value}, not COMPLETED yet")
        places = self.transcript_locations(job)
        if not places:
            raise ConfigError(
                f"cannot tell where the transcript of job {job.name} is",
                hint="give the bucket (and output bucket) settings the job was started with",
                setting="bucket",
            )
        for bucket, key in places:
            try:
                body = self.clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except ClientError as exc:
                if error_code(exc) in {"NoSuchKey", "404"}:
                    continue
                raise map_aws_error(exc, "s3:GetObject", bucket=bucket) from None
            except BotoCoreError as exc:
                raise map_aws_error(exc, "s3:GetObject", bucket=bucket) from None
            try:
                transcript = codec.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValidationError):
                raise ValidationError(
                    f"the transcript of job {job.name} at s3://{bucket}/{key} is not valid "
                    "Transcribe Medical JSON"
                ) from None
            transcript.job_name = transcript.job_name or job.name
            return transcript
        tried = ", ".join(f"s3://{b}/{k}" for b, k in places)
        raise NotFoundError(f"transcript of job {job.name} not found (looked in {tried})")

    def purge_jobs(self, older_than_days: float | None = None) -> PurgeResult:
        """Refused: the service keeps its own job records and expires them itself."""
        raise ValidationError(
            "jobs purge applies to the local job store; the service expires its own job records"
        )

    def detach(self) -> None:
        """Nothing to do: the service's jobs run whatever this process does."""

    def interrupt(self, *, timeout: float) -> Stopped:
        """Nothing to stop: the service's jobs keep running, and a rerun attaches to them."""
        return Stopped()

    # ------------------------------------------------------------------ streams

    def stream(
        self,
        source: AudioSource,
        options: TranscriptionOptions,
        *,
        on_event: OnEvent,
        session_id: str | None = None,
    ) -> None:
        """A Transcribe Medical stream over its WebSocket (see :mod:`.streaming`)."""
        from medscribe.backends.aws.streaming import stream_aws

        stream_aws(
            source,
            options,
            settings=self.settings,
            on_event=on_event,
            endpoint=self.stream_endpoint,
            session_id=session_id,
        )

    # ------------------------------------------------------------------ vocabularies

    def vocabulary_key(self, name: str) -> str:
        return f"{self.settings.input_prefix}vocabularies/{name}.txt"

    def _put_vocabulary(self, name: str, path: Path) -> str:
        validate_vocabulary_name(name)
        parse_vocabulary(path)  # every bad line is reported before anything is uploaded
        bucket = self._bucket()
        return self.upload(Path(path), bucket, self.vocabulary_key(name))

    def create_vocabulary(self, name: str, path: Path) -> Vocabulary:
        uri = self._put_vocabulary(name, path)
        response = self._call(
            "transcribe:CreateMedicalVocabulary",
            self.clients.transcribe.create_medical_vocabulary,
            err={"name": name, "kind": "vocabulary"},
            VocabularyName=name,
            LanguageCode="en-US",
            VocabularyFileUri=uri,
        )
        return _vocabulary_from_service(response)

    def update_vocabulary(self, name: str, path: Path) -> Vocabulary:
        uri = self._put_vocabulary(name, path)
        response = self._call(
            "transcribe:UpdateMedicalVocabulary",
            self.clients.transcribe.update_medical_vocabulary,
            err={"name": name, "kind": "vocabulary"},
            VocabularyName=name,
            LanguageCode="en-US",
            VocabularyFileUri=uri,
        )
        return _vocabulary_from_service(response)

    def get_vocabulary(self, name: str) -> Vocabulary:
        response = self._call(
            "transcribe:GetMedicalVocabulary",
            self.clients.transcribe.get_medical_vocabulary,
            err={"name": name, "kind": "vocabulary"},
            VocabularyName=name,
        )
        return _vocabulary_from_service(response)

    def list_vocabularies(self) -> list[Vocabulary]:
        params: dict[str, Any] = {"MaxResults": 100}
        out: list[Vocabulary] = []
        while True:
            response = self._call(
                "transcribe:ListMedicalVocabularies",
                self.clients.transcribe.list_medical_vocabularies,
                err={},
                **params,
            )
            out.extend(_vocabulary_from_service(v) for v in response.get("Vocabularies", []))
            token = response.get("NextToken")
            if not token:
                return sorted(out, key=lambda v: v.name)
            params["NextToken"] = token

    def delete_vocabulary(self, name: str) -> None:
        self._call(
            "transcribe:DeleteMedicalVocabulary",
            self.clients.transcribe.delete_medical_vocabulary,
            err={"name": name, "kind": "vocabulary"},
            VocabularyName=name,
        )


# ---------------------------------------------------------------------- helpers


def parse_s3_url(url: str) -> tuple[str, str] | None:
    """(bucket, key) of an ``s3://`` URI or an S3 HTTPS URL (path- or virtual-hosted style)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        key = parsed.path.lstrip("/")
        return (parsed.netloc, unquote(key)) if parsed.netloc and key else None
    if parsed.scheme not in {"http", "https"} or parsed.query:
        return None  # a presigned URL is not an S3 object address we can use
    host = parsed.hostname or ""
    path = unquote(parsed.path.lstrip("/"))
    if host.startswith("s3.") or host.startswith("s3-") or host == "s3.amazonaws.com":
        bucket, _, key = path.partition("/")
        return (bucket, key) if bucket and key else None
    if ".s3." in host or ".s3-" in host:
        return (host.split(".s3", 1)[0], path) if path else None
    return None


def _status(value: str | None) -> JobStatus:
    try:
        return JobStatus(value or "QUEUED")
    except ValueError:
        return JobStatus.IN_PROGRESS


def _job_from_service(data: Mapping[str, Any]) -> Job:
    """A :class:`Job` from MedicalTranscriptionJob or a job summary."""
    return Job(
        name=data["MedicalTranscriptionJobName"],
        status=_status(data.get("TranscriptionJobStatus")),
        specialty=Specialty(data.get("Specialty", Specialty.PRIMARYCARE)),
        type=TranscriptionType(data.get("Type", TranscriptionType.CONVERSATION)),
        language_code=data.get("LanguageCode", "en-US"),
        media_uri=(data.get("Media") or {}).get("MediaFileUri"),
        media_format=data.get("MediaFormat"),
        sample_rate=data.get("MediaSampleRateHertz"),
        transcript_uri=(data.get("Transcript") or {}).get("TranscriptFileUri"),
        failure_reason=data.get("FailureReason"),
        created=data.get("CreationTime"),
        started=data.get("StartTime"),
        completed=data.get("CompletionTime"),
        settings=dict(data.get("Settings") or {}),
        backend="aws",
        content_identification=data.get("ContentIdentificationType"),
    )


def _vocabulary_from_service(data: Mapping[str, Any]) -> Vocabulary:
    return Vocabulary(
        name=data["VocabularyName"],
        state=VocabularyState(data.get("VocabularyState", VocabularyState.PENDING)),
        language_code=data.get("LanguageCode", "en-US"),
        last_modified=data.get("LastModifiedTime"),
        failure_reason=data.get("FailureReason"),
        download_uri=data.get("DownloadUri"),
        backend="aws",
    )

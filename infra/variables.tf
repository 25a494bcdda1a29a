# Inputs. Everything has a type, a description and, where a wrong value would only
# surface as a failed apply (or worse, a silent misbehaviour), a validation.

variable "project_id" {
  description = "Google Cloud project to deploy into (must already exist and have billing enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be 6-30 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
  validation {
    condition     = !startswith(var.project_id, "demo-")
    error_message = "demo- project ids are reserved for the local emulators and never reach Google Cloud."
  }
}

variable "region" {
  description = "Region of the functions, the source bucket and (by default) Firestore, e.g. europe-west1."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region name such as europe-west1 or us-central1 (not a zone or multi-region)."
  }
}

variable "firestore_location" {
  description = "Firestore location: a region (default: var.region) or a multi-region such as eur3 or nam5. Cannot be changed after creation."
  type        = string
  default     = null

  validation {
    condition     = var.firestore_location == null || can(regex("^([a-z]+-[a-z]+[0-9]+|eur3|nam5|nam7)$", var.firestore_location))
    error_message = "firestore_location must be a region (europe-west1) or one of the multi-regions eur3, nam5, nam7."
  }
}

variable "firestore_delete_protection" {
  description = "Keep Firestore delete protection on. Set to false (and apply) before `terraform destroy`."
  type        = bool
  default     = true
}

variable "max_delivery_attempts" {
  description = "Per-subscription overrides of max_delivery_attempts from topology.yaml (keys: subscription names). Pub/Sub accepts 5..100."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.max_delivery_attempts) : n >= 5 && n <= 100 && floor(n) == n])
    error_message = "Every max_delivery_attempts value must be a whole number within 5..100 (the range Pub/Sub accepts)."
  }
}

variable "runtime" {
  description = "Cloud Run functions runtime for all five functions; matches the Python of the local stack."
  type        = string
  default     = "python311"

  validation {
    condition     = can(regex("^python3[0-9]+$", var.runtime))
    error_message = "runtime must be a Python runtime id such as python311."
  }
}

variable "function_settings" {
  description = "Scaling and sizing per function, keyed by entry point (scan, record_attendance, send_notification, update_dashboard, send_mail)."
  type = map(object({
    memory          = string
    cpu             = string
    concurrency     = number
    min_instances   = number
    max_instances   = number
    timeout_seconds = number
  }))

  default = {
    # Ingest: a lecture's students scan within the same minute, and a scan must answer
    # at once. The handler is I/O-bound (cached token certificates, cached session and
    # roster reads, one batched publish), so one instance serves many requests at a
    # time: concurrency 80 (the platform default for 1 vCPU). min_instances 1 keeps one
    # instance warm so the first scans at 9:00 do not each pay a Python + firebase-admin
    # cold start of several seconds; it is the only always-on cost. max 10 instances x
    # 80 requests is far above a 500-student burst and caps runaway cost. The server
    # gets one thread per admitted request (THREADS = concurrency, functions.tf): a
    # scan mostly waits on its publish and device write, and concurrent scans share
    # those batches (decision 0013 has the measurements).
    scan = {
      memory          = "512Mi"
      cpu             = "1"
      concurrency     = 80
      min_instances   = 1
      max_instances   = 10
      timeout_seconds = 30
    }
    # Consumers: fed by Pub/Sub push, which absorbs bursts and retries, so a cold start
    # only delays an effect by seconds: scale to zero. Each event is one or two small
    # Firestore writes (milliseconds of CPU, mostly waiting), so 256Mi and concurrency 20
    # drain a lecture with one or two instances. The timeout matches the subscription's
    # ack deadline (topology.yaml): Pub/Sub gives up on a push after that anyway.
    # max_instances: the 9:00 peak's capacity sheet (`make bench`, docs/performance.md:
    # 200,000 scans and the 8:00 sessions' closes of as many students in 5 minutes)
    # with 30 % to spare. Attendance expands each close and syncs every enrolled
    # student's course figures: 16 instances by CPU at that peak, so 24.
    record_attendance = {
      memory          = "256Mi"
      cpu             = "1"
      concurrency     = 20
      min_instances   = 0
      max_instances   = 24
      timeout_seconds = 30
    }
    # Notify waits on FCM (the slowest effect, ack deadline 60s in topology.yaml).
    # 7 to 11 instances by CPU at the 9:00 peak as measured (a close adds none: it
    # ignores close events), so 16.
    send_notification = {
      memory          = "256Mi"
      cpu             = "1"
      concurrency     = 20
      min_instances   = 0
      max_instances   = 16
      timeout_seconds = 60
    }
    # Mail sends the weekly digests (one SMTP conversation per teacher and head) and
    # guardians' alerts: a few at a time, a long timeout (the mail ack deadline, 300s).
    send_mail = {
      memory          = "256Mi"
      cpu             = "1"
      concurrency     = 4
      min_instances   = 0
      max_instances   = 3
      timeout_seconds = 300
    }
    # Dashboard increments sharded tallies (rollcall.consumers.dashboard), one write per event.
    # 10 instances by CPU at the 9:00 peak with the 8:00 closes, so 14.
    update_dashboard = {
      memory          = "256Mi"
      cpu             = "1"
      concurrency     = 20
      min_instances   = 0
      max_instances   = 14
      timeout_seconds = 30
    }
  }

  validation {
    condition = alltrue([
      for s in values(var.function_settings) :
      can(regex("^[0-9]+(Mi|Gi)$", s.memory)) && can(tonumber(s.cpu))
    ])
    error_message = "memory must look like 256Mi or 1Gi; cpu must be a number such as \"1\" or \"0.583\"."
  }
  validation {
    condition = alltrue([
      for s in values(var.function_settings) :
      s.concurrency >= 1 && s.concurrency <= 1000 && (s.concurrency == 1 || tonumber(s.cpu) >= 1)
    ])
    error_message = "concurrency must be within 1..1000, and above 1 only with at least 1 vCPU (a Cloud Run functions rule)."
  }
  validation {
    condition = alltrue([
      for s in values(var.function_settings) :
      s.min_instances >= 0 && s.max_instances >= 1 && s.min_instances <= s.max_instances
    ])
    error_message = "Each function needs 0 <= min_instances <= max_instances and max_instances >= 1."
  }
  validation {
    condition     = alltrue([for s in values(var.function_settings) : s.timeout_seconds >= 1 && s.timeout_seconds <= 3600])
    error_message = "timeout_seconds must be within 1..3600."
  }
}

variable "app_settings" {
  description = "Application tunables passed to the functions as environment variables (see functions/rollcall/config.py)."
  type = object({
    max_body_bytes         = optional(number, 4096)
    session_cache_seconds  = optional(number, 5)
    roster_cache_seconds   = optional(number, 10)
    publish_max_latency_ms = optional(number, 2)
    tally_shards           = optional(number, 20)
  })
  default = {}

  validation {
    condition     = var.app_settings.max_body_bytes >= 256 && var.app_settings.tally_shards >= 1 && var.app_settings.publish_max_latency_ms >= 0
    error_message = "max_body_bytes must be >= 256, tally_shards >= 1, publish_max_latency_ms >= 0."
  }
}

variable "time_zone" {
  description = "The institution's time zone (IANA name), in which messages to students write session times."
  type        = string
  default     = "Asia/Kolkata"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.time_zone))
    error_message = "time_zone must be an IANA time zone name such as Asia/Kolkata or Etc/UTC."
  }
}

variable "institution_name" {
  description = "The institution's name, printed at the head of its reports (the defaulter list)."
  type        = string
  default     = "Rollcall"

  validation {
    condition     = length(trimspace(var.institution_name)) > 0 && length(var.institution_name) <= 200
    error_message = "institution_name must be 1 to 200 characters."
  }
}

variable "consumer_ingress" {
  description = "Network ingress of the consumer functions. Pub/Sub push from the same project counts as internal traffic, so they need no public ingress."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB", "ALLOW_ALL"], var.consumer_ingress)
    error_message = "consumer_ingress must be ALLOW_INTERNAL_ONLY, ALLOW_INTERNAL_AND_GCLB or ALLOW_ALL."
  }
}

variable "hosting_site_id" {
  description = "Firebase Hosting site id (globally unique; the site is served at https://<id>.web.app). Defaults to the project id."
  type        = string
  default     = null

  validation {
    condition     = var.hosting_site_id == null || can(regex("^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$", var.hosting_site_id))
    error_message = "hosting_site_id must be 4-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen."
  }
}

variable "web_origins" {
  description = "Extra browser origins allowed to call the scan endpoint (custom domains of the web app), e.g. https://rollcall.example.edu. The Hosting origins are always allowed."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.web_origins : can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", o))])
    error_message = "Each web origin must be https://host[:port] with no path or trailing slash."
  }
}

variable "sign_in_with_google" {
  description = "\"Continue with Google\": the OAuth web client's id, and the name of the Secret Manager secret holding its client secret (create both in the console: APIs & Services > Credentials). null: email/password sign-in only."
  type = object({
    client_id            = string
    client_secret_secret = string
  })
  default = null

  validation {
    condition = var.sign_in_with_google == null ? true : (
      can(regex("^[0-9]+-[a-z0-9]+\\.apps\\.googleusercontent\\.com$", var.sign_in_with_google.client_id))
      && can(regex("^[A-Za-z0-9_-]{1,255}$", var.sign_in_with_google.client_secret_secret))
    )
    error_message = "sign_in_with_google.client_id must be an OAuth client id (<number>-<id>.apps.googleusercontent.com) and client_secret_secret a Secret Manager secret name."
  }
}

variable "web_push_vapid_key" {
  description = "The public VAPID key of the Firebase project's web push certificate (Firebase console > Cloud Messaging > Web configuration). Empty: the student page offers no notifications. Public by design, not a secret."
  type        = string
  default     = ""

  validation {
    condition     = var.web_push_vapid_key == "" || can(regex("^[A-Za-z0-9_-]{80,100}$", var.web_push_vapid_key))
    error_message = "web_push_vapid_key must be the base64url public key (87 characters), or empty."
  }
}

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/<p>/notificationChannels/<id>) that receive the alerts. Empty: alerts show in the console only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", c))])
    error_message = "Notification channels must be full ids: projects/<project>/notificationChannels/<number>."
  }
}

variable "ingest_5xx_ratio_threshold" {
  description = "Alert when more than this fraction of scan requests answer 5xx over 5 minutes."
  type        = number
  default     = 0.05

  validation {
    condition     = var.ingest_5xx_ratio_threshold > 0 && var.ingest_5xx_ratio_threshold < 1
    error_message = "ingest_5xx_ratio_threshold must be a fraction between 0 and 1."
  }
}

variable "smtp" {
  description = "The SMTP relay of the mail consumer (digests, guardians' alerts; decision 0027); null: no email is sent. Its password is not here: it is the latest version of the Secret Manager secret rollcall-smtp-password, which the operator adds with gcloud before setting this (docs/deploying.md#email-secrets)."
  type = object({
    host      = string
    port      = optional(number, 587)
    user      = string
    mail_from = string
  })
  default = null

  validation {
    condition     = var.smtp == null || (can(regex("^[A-Za-z0-9.-]+$", try(var.smtp.host, ""))) && try(var.smtp.port >= 1 && var.smtp.port <= 65535, false))
    error_message = "smtp.host must be a host name and smtp.port within 1..65535 (587 for STARTTLS)."
  }
}

variable "retention_days" {
  description = "How many days Rollcall keeps what expires (docs/privacy.md, decision 0029): device bindings and rejected scans after their session's end, inbox entries after their course's term, absence requests (and their documents in the bucket) after filing, email markers after sending. Firestore's TTL policies delete each document at its expire_at, which the functions set from these."
  type = object({
    devices    = optional(number, 7)
    rejections = optional(number, 30)
    inbox      = optional(number, 30)
    requests   = optional(number, 365)
    mail       = optional(number, 90)
  })
  default = {}

  validation {
    condition     = alltrue([for days in values(var.retention_days) : days == floor(days) && days >= 1 && days <= 3650])
    error_message = "Each retention period must be a whole number of days within 1..3650."
  }

  validation {
    condition     = var.retention_days.rejections >= var.retention_days.devices
    error_message = "retention_days.rejections must be at least retention_days.devices: a dispute's evidence counts the rejected scans of its session."
  }
}

variable "access_log_retention_days" {
  description = "How many days the access-trail log bucket keeps Firestore's Data Access audit logs and Rollcall's 'data taken' lines (exports, reports, documents, data requests; infra/logging.tf)."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days == floor(var.access_log_retention_days) && var.access_log_retention_days >= 1 && var.access_log_retention_days <= 3650
    error_message = "access_log_retention_days must be a whole number of days within 1..3650 (Cloud Logging's limit)."
  }
}

"""Vietnamese demo content (events, agenda, name parts, questions) drawn from the seed articles."""

TRAINING_2023 = {
    "title": "Hội nghị Tập huấn nghiệp vụ công tác thông tin, tuyên truyền năm 2023",
    "date": "2023-11-24",
    "start": "08:00",
    "end": "17:00",
    "mode": "in_person",
    "venue": "TP. Hạ Long, Quảng Ninh",
    "description": (
        "Hội nghị tập huấn nghiệp vụ công tác thông tin, tuyên truyền do Trung tâm Thông tin "
        "(Bộ TT&TT) tổ chức tại Quảng Ninh cho đội ngũ phóng viên chuyên trách của các cơ quan "
        "báo chí và cán bộ làm công tác truyền thông của Bộ, của ngành TT&TT. "
        "Tại hội nghị, Bộ TT&TT chính thức công bố hình thành Mạng lưới truyền thông ngành "
        "TT&TT, kết nối 32 cơ quan, đơn vị thuộc Bộ, 63 Sở TT&TT và gần 80 nhà báo, phóng viên "
        "của trên 50 cơ quan báo chí. "
        "Các đơn vị thuộc Bộ trình bày tham luận về kỹ năng phát ngôn, kinh tế số - xã hội số, "
        "an toàn thông tin và đấu tranh với tin giả trên không gian mạng."
    ),
}

TRAINING_AGENDA = [
    {
        "start": "08:00",
        "end": "08:30",
        "title": "Phát biểu khai mạc hội nghị",
        "speaker": "Ông Đỗ Công Anh",
        "speaker_organisation": "Trung tâm Thông tin",
    },
    {
        "start": "08:30",
        "end": "09:00",
        "title": "Công bố hình thành Mạng lưới truyền thông ngành Thông tin và Truyền thông",
        "speaker": "Ông Đỗ Công Anh",
        "speaker_organisation": "Trung tâm Thông tin",
    },
    {
        "start": "09:00",
        "end": "09:45",
        "title": (
            "Kỹ năng phát ngôn và cung cấp thông tin cho báo chí; "
            "yêu cầu, nhiệm vụ của công tác truyền thông chính sách"
        ),
        "speaker": "Lãnh đạo Cục Báo chí",
        "speaker_organisation": "Cục Báo chí",
    },
    {
        "start": "09:45",
        "end": "10:30",
        "title": (
            "Phát triển Kinh tế số - Xã hội số trong thời kỳ mới "
            "và các nội dung được xã hội, dư luận quan tâm"
        ),
        "speaker": "Ông Trần Minh Tuấn",
        "speaker_organisation": "Vụ Kinh tế số - Xã hội số",
    },
    {
        "start": "10:45",
        "end": "11:30",
        "title": "An toàn thông tin trong tình hình mới",
        "speaker": "Lãnh đạo Cục An toàn thông tin",
        "speaker_organisation": "Cục An toàn thông tin",
    },
    {
        "start": "13:30",
        "end": "14:15",
        "title": (
            "Nhận diện, phòng ngừa và đấu tranh với tin giả, tin sai sự thật trên không gian mạng"
        ),
        "speaker": "Đại diện Cục Phát thanh, truyền hình và thông tin điện tử",
        "speaker_organisation": "Cục Phát thanh, truyền hình và thông tin điện tử",
    },
    {
        "start": "14:15",
        "end": "15:00",
        "title": (
            "Một số định hướng lớn trong lĩnh vực viễn thông; quy trình phát triển, chuẩn hóa "
            "thông tin thuê bao di động có sử dụng video call"
        ),
        "speaker": "Lãnh đạo Cục Viễn thông",
        "speaker_organisation": "Cục Viễn thông",
    },
    {
        "start": "15:00",
        "end": "15:45",
        "title": "Truyền thông, tuyên truyền nâng cao nhận thức về chuyển đổi số",
        "speaker": "Lãnh đạo Cục Chuyển đổi số quốc gia",
        "speaker_organisation": "Cục Chuyển đổi số quốc gia",
    },
    {
        "start": "15:45",
        "end": "16:30",
        "title": "Thảo luận, hỏi đáp",
        "speaker": "",
        "speaker_organisation": "Trung tâm Thông tin",
    },
    {
        "start": "16:30",
        "end": "17:00",
        "title": "Tổng kết, bế mạc hội nghị",
        "speaker": "Ông Đỗ Công Anh",
        "speaker_organisation": "Trung tâm Thông tin",
    },
]

TRAINING_2022 = {
    "title": "Hội nghị tập huấn nghiệp vụ công tác thông tin, tuyên truyền của Bộ TT&TT năm 2022",
    "date": "2022-09-27",
    "start": "08:00",
    "end": "11:30",
    "mode": "hybrid",
    "venue": "Trụ sở Bộ TT&TT, 18 Nguyễn Du, Hai Bà Trưng, Hà Nội",
    "description": (
        "Hội nghị do Trung tâm Thông tin - Bộ TT&TT tổ chức theo hình thức trực tiếp và trực "
        "tuyến, với các điểm cầu tại Trụ sở Bộ, Văn phòng Bộ tại TP. Hồ Chí Minh, Đà Nẵng và "
        "63 Sở TT&TT. "
        "Hơn 400 cán bộ làm công tác thông tin, truyền thông của các cơ quan, đơn vị thuộc Bộ "
        "và các Sở TT&TT trên toàn quốc tham dự. "
        "Các đại biểu nghe tham luận của Cục Báo chí, Cục Chuyển đổi số quốc gia và Báo "
        "VietNamNet về truyền thông chính sách, xử lý khủng hoảng truyền thông và kỹ năng viết "
        "tin bài trên môi trường điện tử."
    ),
}

BRIEFING_SERIES = {
    "title": "Họp báo thường kỳ Bộ Thông tin và Truyền thông",
    "description": (
        "Họp báo thường kỳ do Bộ Thông tin và Truyền thông chủ trì nhằm cung cấp thông tin chính "
        "thống về hoạt động của Bộ, của ngành và đối thoại với báo chí. "
        "Lãnh đạo Bộ và các cơ quan, đơn vị thuộc Bộ trả lời câu hỏi của phóng viên về các vấn "
        "đề được dư luận quan tâm."
    ),
    "venue": "Trụ sở Bộ TT&TT, 18 Nguyễn Du, Hai Bà Trưng, Hà Nội",
    "online_url": "https://meet.example.gov.vn/hop-bao",
}

FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
]

MIDDLE_NAMES = [
    "Văn",
    "Thị",
    "Minh",
    "Thanh",
    "Hữu",
    "Đức",
    "Quang",
    "Thu",
    "Ngọc",
    "Hoàng",
    "Anh",
    "Xuân",
    "Thùy",
    "Kim",
    "Hải",
]

GIVEN_NAMES = [
    "An",
    "Anh",
    "Bình",
    "Châu",
    "Chi",
    "Cường",
    "Dũng",
    "Duy",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Huyền",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phong",
    "Phương",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tú",
    "Tùng",
    "Vân",
    "Yến",
]

POSITIONS_JOURNALIST = [
    "Phóng viên",
    "Biên tập viên",
    "Phóng viên ảnh",
    "Quay phim",
    "Trưởng ban",
    "Phó Trưởng ban",
    "Thư ký tòa soạn",
    "Phó Tổng Biên tập",
]

POSITIONS_SITE = [
    "Giám đốc Sở",
    "Phó Giám đốc Sở",
    "Chánh Văn phòng Sở",
    "Trưởng phòng Thông tin - Báo chí - Xuất bản",
    "Chuyên viên truyền thông",
    "Chuyên viên Văn phòng Sở",
]

SAMPLE_QUESTIONS = [
    "Đến nay đã có bao nhiêu thủ tục hành chính được cung cấp dưới dạng dịch vụ công trực tuyến "
    "toàn trình, và Bộ có giải pháp gì để tăng tỷ lệ người dân thực sự sử dụng?",
    "Bộ đánh giá thế nào về tình hình tấn công mạng vào hệ thống thông tin của cơ quan nhà nước "
    "thời gian qua, và các đơn vị cần làm gì để bảo đảm an toàn thông tin?",
    "Bộ đã xử lý bao nhiêu trường hợp đăng tải tin giả, tin sai sự thật trên mạng xã hội, và "
    "người dân cần làm gì khi phát hiện thông tin sai lệch?",
    "Tiến độ chuẩn hóa thông tin thuê bao di động hiện nay ra sao, và các nhà mạng xử lý thế "
    "nào với những thuê bao chưa cập nhật thông tin?",
    "Bộ có kế hoạch gì đối với việc tắt sóng 2G, và làm thế nào để hỗ trợ người dân đang sử "
    "dụng điện thoại chỉ hỗ trợ 2G?",
    "Lộ trình thực hiện quy hoạch mạng lưới báo chí đến năm 2025 đang được triển khai như thế "
    "nào, và có bao nhiêu cơ quan báo chí đã hoàn thành sắp xếp?",
    "Bộ có giải pháp gì để ngăn chặn tình trạng cuộc gọi rác, tin nhắn rác và lừa đảo qua "
    "điện thoại đang gia tăng?",
    "Kinh tế số hiện đóng góp bao nhiêu phần trăm GDP, và Bộ đề xuất những chính sách nào để "
    "đạt mục tiêu kinh tế số chiếm 20% GDP vào năm 2025?",
]
